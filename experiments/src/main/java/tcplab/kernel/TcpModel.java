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
        String range = settings.get("net.ipv4.ip_local_port_range");
        if (range == null) {
            return -1;
        }
        String[] bounds = range.trim().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        int reserved = 0;
        String list = settings.getOrDefault("net.ipv4.ip_local_reserved_ports", "").trim();
        for (String part : list.isEmpty() ? new String[0] : list.split(",")) {
            String[] r = part.trim().split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            reserved += Math.max(0, Math.min(to, high) - Math.max(from, low) + 1);
        }
        return high - low + 1 - reserved;
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
}
