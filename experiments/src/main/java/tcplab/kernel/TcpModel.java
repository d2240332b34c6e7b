package tcplab.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the kernel's documented behaviour predicts from the sysctls in effect. Each formula names
 * its source; a report puts these beside what was measured.
 */
public final class TcpModel {
    /**
     * TCP_TIMEWAIT_LEN, 60 s: compiled into the kernel (include/net/tcp.h), not a sysctl;
     * tcp_fin_timeout governs FIN_WAIT_2 instead.
     */
    public static final int TIME_WAIT_SECONDS = 60;
    /** ip_local_port_range's default, 32768 to 60999: 28,232 ports. */
    public static final int DEFAULT_PORTS = 28232;

    private TcpModel() {
    }

    /**
     * The kernel's defaults for the sysctls that plans scale down to finish in seconds
     * (Documentation/networking/ip-sysctl.rst; 6.x): a row measured with other values says so and
     * gives the model at these.
     */
    public static final Map<String, String> DEFAULTS = Map.of(
            "net.ipv4.ip_local_port_range", "32768 60999",
            "net.ipv4.tcp_fin_timeout", "60",
            "net.ipv4.tcp_keepalive_time", "7200",
            "net.ipv4.tcp_keepalive_intvl", "75",
            "net.ipv4.tcp_keepalive_probes", "9",
            "net.ipv4.tcp_retries2", "15",
            "net.ipv4.tcp_syn_retries", "6",
            "net.ipv4.tcp_syn_linear_timeouts", "4",
            "net.ipv4.tcp_tw_reuse_delay", "1000");

    /** "key=value (default D)" for each of {@code keys} whose value in {@code settings} is not the kernel's default, joined by "; ". */
    public static String scaledFromDefaults(Map<String, String> settings, String... keys) {
        List<String> scaled = new ArrayList<>();
        for (String key : keys) {
            String value = settings.get(key);
            String def = DEFAULTS.get(key);
            if (value != null && def != null && !value.trim().replaceAll("\\s+", " ").equals(def)) {
                scaled.add(key + "=" + value.trim().replaceAll("\\s+", " ") + " (default " + def + ")");
            }
        }
        return String.join("; ", scaled);
    }

    /** Number of ports in {@code net.ipv4.ip_local_port_range} ("low high", inclusive), or -1 if unknown. */
    public static int portCount(Map<String, String> settings) {
        String range = settings.get("net.ipv4.ip_local_port_range");
        if (range == null) {
            return -1;
        }
        String[] bounds = range.trim().split("\\s+");
        return Integer.parseInt(bounds[1]) - Integer.parseInt(bounds[0]) + 1;
    }

    /**
     * Ports connect() may choose: the range minus the ports listed in ip_local_reserved_ports that
     * fall inside it. -1 if the range is unknown.
     */
    public static int usablePorts(Map<String, String> settings) {
        int[] counts = usablePortsByParity(settings);
        return counts == null ? -1 : counts[0] + counts[1];
    }

    /**
     * How long a TIME_WAIT socket must have existed before connect() may reuse it: tcp_tw_reuse_delay
     * (ms) where the kernel has it, else the fixed 1 s older kernels use.
     */
    public static long reuseDelayMillis(Map<String, String> settings) {
        return Long.parseLong(settings.getOrDefault("net.ipv4.tcp_tw_reuse_delay", "1000").trim());
    }

    /**
     * Whether connect() may take over a local port held by a TIME_WAIT socket (tcp_twsk_unique in
     * net/ipv4/tcp_ipv4.c): tcp_tw_reuse 1 everywhere, 2 only on loopback, 0 never; and only when
     * the old connection used timestamps, which tcp_timestamps 0 turns off.
     */
    public static boolean timeWaitReuse(Map<String, String> settings, boolean loopback) {
        int reuse = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_tw_reuse", "2").trim());
        int timestamps = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_timestamps", "1").trim());
        return timestamps != 0 && (reuse == 1 || (reuse == 2 && loopback));
    }

    /**
     * Sustained new connections per second from one client address to one destination when the
     * client keeps TIME_WAIT and cannot reuse it: every port is held for {@value #TIME_WAIT_SECONDS} s.
     * 28,232 ports (the default range) give 470.5/s.
     */
    public static double portCeilingPerSecond(int ports) {
        return (double) ports / TIME_WAIT_SECONDS;
    }

    /**
     * Whether bind() succeeds on a port that an old listener's connections may still hold (C7;
     * inet_csk_bind_conflict in net/ipv4/inet_connection_sock.c). With nothing left on the port it
     * always does. Otherwise each leftover socket (ESTABLISHED or TIME_WAIT, which inherited the old
     * listener's SO_REUSEADDR when it was accepted) conflicts unless both it and the new socket have
     * SO_REUSEADDR: Linux needs the option on the old and the new socket.
     */
    public static boolean rebindAllowed(boolean oldReuse, boolean newReuse, boolean leftovers) {
        return !leftovers || (oldReuse && newReuse);
    }

    /**
     * The chance that a given port inside ip_local_port_range is held by an outgoing connection when
     * {@code connections} of them are open (C8). connect() tries the ports of one parity first, the
     * parity of the range's low end (__inet_hash_connect, net/ipv4/inet_hashtables.c), from a
     * perturbed start, and the other parity only once those are all taken. So a port of the first
     * parity is taken with chance min(1, n / E) and one of the other with max(0, (n - E) / O), where E
     * and O are the usable ports of each parity; averaged over both, the chance is the share of the
     * range in use. A port below the range or in ip_local_reserved_ports is never chosen: chance 0.
     */
    public static double portTakenProbability(int connections, int firstParityPorts, int otherParityPorts, boolean firstParity) {
        if (firstParity) {
            return Math.min(1.0, (double) connections / firstParityPorts);
        }
        return Math.max(0.0, Math.min(1.0, (double) (connections - firstParityPorts) / otherParityPorts));
    }

    /** The usable ports of the range (reserved ones left out) with the parity of its low end, then the others; null if the range is unknown. */
    public static int[] usablePortsByParity(Map<String, String> settings) {
        String range = settings.get("net.ipv4.ip_local_port_range");
        if (range == null) {
            return null;
        }
        String[] bounds = range.trim().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        int[] counts = new int[2];
        for (int port = low; port <= high; port++) {
            if (!reserved(settings, port)) {
                counts[(port - low) % 2]++;
            }
        }
        return counts;
    }

    /** Whether ip_local_reserved_ports ("8080,9000-9010") lists {@code port}. */
    public static boolean reserved(Map<String, String> settings, int port) {
        String list = settings.getOrDefault("net.ipv4.ip_local_reserved_ports", "").trim();
        for (String part : list.isEmpty() ? new String[0] : list.split(",")) {
            String[] r = part.trim().split("-");
            int from = Integer.parseInt(r[0].trim());
            int to = r.length > 1 ? Integer.parseInt(r[1].trim()) : from;
            if (port >= from && port <= to) {
                return true;
            }
        }
        return false;
    }

    /**
     * How late a kernel timer of {@code delaySeconds} may fire, in seconds: the timer wheel
     * (kernel/time/timer.c) files a timer at the level its delay reaches, levels 64 buckets wide
     * whose granule grows 8-fold (LVL_CLK_SHIFT 3) per level, and rounds its expiry up to that
     * granule. A delay under 63 jiffies is exact to a jiffy; under 504, to 8; under 4032, to 64;
     * under 32256, to 512; and so on. At CONFIG_HZ = 250 a 60 s timer (15000 jiffies) lands on the
     * 512-jiffy level: it fires up to 2.048 s late; a 200 ms one (50 jiffies) up to 4 ms late.
     */
    public static double timerGranuleSeconds(double delaySeconds, int hz) {
        long jiffies = (long) Math.ceil(delaySeconds * hz);
        long start = 63; // LVL_START(1) = (LVL_SIZE - 1) << 0
        long granule = 1;
        while (jiffies >= start && granule < (1L << 24)) {
            start <<= 3;
            granule <<= 3;
        }
        return (double) granule / hz;
    }

    /** TCP_TIMEOUT_INIT: the first SYN's retransmission timeout, 1 s (include/net/tcp.h). */
    public static final double INITIAL_RTO_SECONDS = 1.0;
    /** TCP_RTO_MIN, 200 ms: the floor of a connection's retransmission timeout, unless tcp_rto_min_us says otherwise. */
    public static final double RTO_MIN_SECONDS = 0.2;
    /** TCP_RTO_MAX, 120 s: the ceiling, unless tcp_rto_max_ms says otherwise. */
    public static final double RTO_MAX_SECONDS = 120.0;

    /** When a connect() to a host that drops every SYN sends each SYN, and when it gives up (seconds from the first SYN). */
    public record SynSchedule(double[] sendTimes, double failsAt) {
        public int syns() {
            return sendTimes.length;
        }
    }

    /**
     * What a connect() does when no SYN is answered (C10), from net/ipv4/tcp_timer.c and
     * Documentation/networking/ip-sysctl.rst. Timeouts start at 1 s; the first tcp_syn_linear_timeouts
     * retransmissions keep it, after that it doubles, up to tcp_rto_max_ms. When a timeout fires the
     * connect fails if tcp_syn_retries + tcp_syn_linear_timeouts retransmissions have been made, or if
     * the time since the first SYN has reached the kernel's model timeout for tcp_syn_retries
     * (tcp_model_timeout with a 1 s base: 2^(retries + 1) - 1 s below the RTO cap); otherwise it sends
     * another SYN. So linear timeouts send more SYNs early and, with the defaults (6 and 4), one more
     * late: the last at 67 s, failure at 131 s instead of 127 s. With few retries they change only how
     * many SYNs are sent: 2 retries fail at 7 s either way. Kernels without tcp_syn_linear_timeouts
     * behave as with 0.
     */
    public static SynSchedule synSchedule(int synRetries, int linearTimeouts, double rtoMaxSeconds) {
        double limit = modelTimeoutSeconds(synRetries, INITIAL_RTO_SECONDS, rtoMaxSeconds);
        List<Double> sent = new ArrayList<>(List.of(0.0));
        double now = 0;
        for (int retransmits = 0; ; retransmits++) {
            double timeout = retransmits <= linearTimeouts ? INITIAL_RTO_SECONDS
                    : Math.min(rtoMaxSeconds, INITIAL_RTO_SECONDS * Math.pow(2, retransmits - linearTimeouts));
            now += timeout;
            if (retransmits >= synRetries + linearTimeouts || now >= limit - 1e-9) {
                return new SynSchedule(sent.stream().mapToDouble(Double::doubleValue).toArray(), now);
            }
            sent.add(now);
        }
    }

    /**
     * The kernel's "hypothetical timeout" for tcp_retries2 (C12; tcp_model_timeout in
     * net/ipv4/tcp_timer.c, Documentation/networking/ip-sysctl.rst): the doubling retransmission
     * timeouts from the RTO floor summed up to the point where they would pass the maximum RTO, then
     * the maximum for each retransmission left. For 15, 200 ms and 120 s: 1023 × 0.2 + 6 × 120 =
     * 924.6 s. The documentation calls it a lower bound: see {@link #retransmitFailureSeconds}.
     */
    public static double retransmitTimeoutSeconds(int retries2, double rtoMinSeconds, double rtoMaxSeconds) {
        return modelTimeoutSeconds(retries2, rtoMinSeconds, rtoMaxSeconds);
    }

    /**
     * When a connection whose peer stopped answering actually fails, in seconds from the first
     * unacknowledged segment: the kernel counts the hypothetical timeout from the first
     * retransmission (tcp_retransmit_skb saves "the stamp of the first retransmit", one RTO after the
     * original), and checks it only when a retransmission timer fires, so the connection fails at the
     * first timer at least that long after the first retransmission. With the RTO doubling from 200 ms
     * that is one timeout more than the hypothetical sum: 6.2 s for tcp_retries2 = 3 (not 3.0), and for
     * the default 15, 1044.6 s (not 924.6).
     */
    public static double retransmitFailureSeconds(int retries2, double rtoMinSeconds, double rtoMaxSeconds) {
        double hypothetical = retransmitTimeoutSeconds(retries2, rtoMinSeconds, rtoMaxSeconds);
        double firstRetransmit = rtoMinSeconds;
        double now = firstRetransmit;
        for (int i = 1; ; i++) {
            now += Math.min(rtoMaxSeconds, rtoMinSeconds * Math.pow(2, i));
            if (now - firstRetransmit >= hypothetical - 1e-9) {
                return now;
            }
        }
    }

    /**
     * When the connection fails on the path as measured, in seconds from the fault: {nominal,
     * earliest, latest}. The retransmission timer first fires {@code firstFire} s after the fault,
     * then after {@code rto} × 2, × 4, … (capped at {@code rtoMax}), each up to one timer-wheel
     * granule late ({@link #timerGranuleSeconds}). The kernel checks tcp_retries2 only as a timer
     * fires (tcp_write_timeout → retransmits_timed_out, net/ipv4/tcp_timer.c): it fails once the time
     * since the first retransmission (retrans_stamp) reaches the hypothetical timeout computed from
     * {@code rtoMin} (tcp_model_timeout), whatever the path's real RTO. So an RTO a few ms above
     * 200 ms moves the failure a whole doubling earlier than {@link #retransmitFailureSeconds}: with
     * 210 ms, tcp_retries2 = 5 fails after 13.2 s, not 25.4 s. Nominal assumes no timer is late;
     * earliest and latest bound every lateness from none to a full granule on each timer, which can
     * also move the check across one timer.
     */
    public static double[] retransmitFailureOnPath(int retries2, double firstFire, double rto, double rtoMin, double rtoMax, int hz) {
        double deadline = firstFire + retransmitTimeoutSeconds(retries2, rtoMin, rtoMax); // retrans_stamp + the hypothetical timeout
        double nominal = firstFire;   // the timers' times with none late
        double lateness = 0;          // the most they can have slipped by then
        double interval = rto;
        double earliest = Double.NaN;
        for (int fire = 2; fire < 200; fire++) {
            interval = Math.min(rtoMax, interval * 2);
            nominal += interval;
            lateness += timerGranuleSeconds(interval, hz);
            if (Double.isNaN(earliest) && nominal + lateness >= deadline - 1e-9) {
                earliest = Math.max(nominal, deadline); // late timers can make this the failing one, no earlier than the deadline
            }
            if (nominal >= deadline - 1e-9) {
                return new double[] {nominal, earliest, nominal + lateness}; // no timer late: this one; all late: at most this much later
            }
        }
        return new double[] {nominal, earliest, nominal + lateness};
    }

    /**
     * With TCP_USER_TIMEOUT set, in seconds from the first unacknowledged segment: the user timeout,
     * also counted from the first retransmission, with the retransmission timer clamped so it fires
     * right then (tcp_clamp_rto_to_user_timeout).
     */
    public static double userTimeoutFailureSeconds(double userTimeoutSeconds, double rtoMinSeconds) {
        return rtoMinSeconds + userTimeoutSeconds;
    }

    /** tcp_model_timeout: the doubling timeouts from {@code base} summed over {@code boundary} + 1 of them, each at most the cap. */
    static double modelTimeoutSeconds(int boundary, double base, double rtoMaxSeconds) {
        int linearBackoffThresh = 31 - Integer.numberOfLeadingZeros((int) Math.floor(rtoMaxSeconds / base)); // ilog2
        if (boundary <= linearBackoffThresh) {
            return ((2L << boundary) - 1) * base;
        }
        return ((2L << linearBackoffThresh) - 1) * base + (boundary - linearBackoffThresh) * rtoMaxSeconds;
    }

    /**
     * When TCP keepalive declares an idle connection dead (C11): the idle time, then one probe every
     * interval, and the connection is dropped when the last of {@code probes} probes goes unanswered
     * (tcp_keepalive_timer): time + probes × interval. The defaults, 7200 + 9 × 75 s, are 2 h 11 min.
     */
    public static double keepaliveDetectionSeconds(int timeSeconds, int intervalSeconds, int probes) {
        return timeSeconds + (double) probes * intervalSeconds;
    }

    /** A sysctl in seconds from its value in {@code unit} per second (ms: 1000, µs: 1e6), or {@code fallback} when this kernel lacks it. */
    public static double seconds(Map<String, String> settings, String key, double perSecond, double fallback) {
        String v = settings.get(key);
        return v == null || v.isBlank() ? fallback : Double.parseDouble(v.trim()) / perSecond;
    }
}
