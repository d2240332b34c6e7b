package tcplab.experiment.timeouts.acceptoverflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tcplab.kernel.TcpModel;

/**
 * One configuration's connects against the SYN schedule of its sysctls: outcomes counted, and each
 * latency rounded to the nearest SYN send time, which both the claims and the report need.
 */
record Tally(TcpModel.SynSchedule schedule, int connected, int reset, int timedOut, int onSchedule, int resetsOnSchedule,
             List<String> resetTimes, TreeMap<Double, Integer> latencies) {
    /** How close to a SYN send time a connect latency must be to count as "a whole number of timeouts". */
    static final double SLACK_SECONDS = 0.1;

    static Tally of(Map<String, String> sysctls, List<ConnectRow> rows) {
        return of(sysctls, rows, 0);
    }

    /**
     * With the path's round trip: a connect returns when the SYN-ACK to its last SYN arrives, one RTT after
     * that SYN was sent, so the latency to place on the SYN schedule is the measured one less the RTT.
     */
    static Tally of(Map<String, String> sysctls, List<ConnectRow> rows, double rttSeconds) {
        TcpModel.SynSchedule schedule = TcpModel.synSchedule(Integer.parseInt(sysctls.getOrDefault("net.ipv4.tcp_syn_retries", "6").trim()),
                Integer.parseInt(sysctls.getOrDefault("net.ipv4.tcp_syn_linear_timeouts", "0").trim()),
                TcpModel.seconds(sysctls, "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS));
        int connected = 0;
        int reset = 0;
        int timedOut = 0;
        int onSchedule = 0;
        int resetsOnSchedule = 0;
        List<String> resetTimes = new ArrayList<>();
        TreeMap<Double, Integer> latencies = new TreeMap<>();
        for (ConnectRow row : rows) {
            double seconds = row.seconds() - rttSeconds;
            double nearest = nearest(schedule.sendTimes(), seconds);
            boolean whole = Math.abs(seconds - nearest) <= SLACK_SECONDS + nearest / 8; // the timer fires up to 1/8 of its delay late
            switch (row.outcome()) {
                case CONNECTED -> {
                    connected++;
                    latencies.merge(nearest, 1, Integer::sum);
                    onSchedule += whole ? 1 : 0;
                }
                case RESET, REFUSED -> {
                    reset++;
                    resetTimes.add(String.format(Locale.ROOT, "%.2f s", seconds));
                    resetsOnSchedule += whole ? 1 : 0;
                }
                case TIMEOUT -> timedOut++;
                case ERROR -> { }
            }
        }
        return new Tally(schedule, connected, reset, timedOut, onSchedule, resetsOnSchedule, resetTimes, latencies);
    }

    /** The latencies seen, "seconds: clients", e.g. "0: 6, 1: 5". */
    String spread() {
        List<String> spread = new ArrayList<>();
        latencies.forEach((s, c) -> spread.add(String.format(Locale.ROOT, "%.0f: %d", s, c)));
        return String.join(", ", spread);
    }

    private static double nearest(double[] times, double value) {
        double best = times[0];
        for (double t : times) {
            if (Math.abs(t - value) < Math.abs(best - value)) {
                best = t;
            }
        }
        return best;
    }
}
