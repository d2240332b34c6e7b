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
