package tcplab.kernel;

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

    private TcpModel() {
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
}
