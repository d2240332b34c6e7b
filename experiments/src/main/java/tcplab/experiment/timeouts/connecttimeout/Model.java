package tcplab.experiment.timeouts.connecttimeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tcplab.kernel.TcpModel;

/** What the settings in effect predict for a configuration: the kernel's SYN schedule, and the application's timeout if it is shorter. */
record Model(int retries, int linear, double rtoMax, TcpModel.SynSchedule kernel, double appSeconds, int defaultLinear) {

    static Model of(Map<String, String> settings, int connectTimeoutMs) {
        int retries = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_retries", "6").trim());
        // a kernel without tcp_syn_linear_timeouts behaves as with 0
        int linear = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_linear_timeouts", "0").trim());
        double rtoMax = TcpModel.seconds(settings, "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS);
        return new Model(retries, linear, rtoMax, TcpModel.synSchedule(retries, linear, rtoMax), connectTimeoutMs / 1000.0,
                settings.containsKey("net.ipv4.tcp_syn_linear_timeouts") ? 4 : 0);
    }

    /**
     * The schedule at this kernel's defaults, tcp_syn_retries 6 with its default linear timeouts: 4
     * where it has the sysctl (131 s), none where it has not (127 s; KernelFeatures).
     */
    TcpModel.SynSchedule atDefaults() {
        return TcpModel.synSchedule(6, defaultLinear, rtoMax);
    }

    boolean appWins() {
        return appSeconds > 0 && appSeconds < kernel.failsAt();
    }

    double failsAfter() {
        return appWins() ? appSeconds : kernel.failsAt();
    }

    /** SYNs sent before the connect gives up: all of the schedule's, or those sent before the application's timeout. */
    int syns() {
        return appWins() ? (int) Arrays.stream(kernel.sendTimes()).filter(t -> t < appSeconds).count() : kernel.syns();
    }

    /** How the connect() should end. */
    AttemptRow.Outcome outcome() {
        return appWins() ? AttemptRow.Outcome.APPLICATION_TIMEOUT : AttemptRow.Outcome.KERNEL_TIMEOUT;
    }

    /** How late a whole SYN schedule may end: each timer's timer-wheel granule, summed (TcpModel.timerGranuleSeconds). */
    static double scheduleSlack(TcpModel.SynSchedule schedule, int hz) {
        double slack = 0;
        double previous = 0;
        double[] sends = schedule.sendTimes();
        for (int i = 1; i <= sends.length; i++) {
            double at = i < sends.length ? sends[i] : schedule.failsAt();
            slack += TcpModel.timerGranuleSeconds(at - previous, hz);
            previous = at;
        }
        return slack;
    }

    /** "0, 1, 3 s": when the SYNs go out. */
    static String schedule(double[] sendTimes) {
        List<String> parts = new ArrayList<>();
        for (double t : sendTimes) {
            parts.add(t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t));
        }
        return String.join(", ", parts) + " s";
    }
}
