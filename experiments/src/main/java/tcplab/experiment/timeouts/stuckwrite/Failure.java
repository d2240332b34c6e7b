package tcplab.experiment.timeouts.stuckwrite;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.kernel.TcpModel;

/**
 * One configuration's stuck write: when it failed, and when the model says it fails, from the
 * settings in effect and the retransmission timers the socket table showed. Claims and Report both
 * read it, so the table shows the figures the claim compares.
 *
 * @param hypothetical tcp_retries2's hypothetical timeout, from the 200 ms floor
 * @param model        the failure the model predicts, seconds after the fault: at the failing timer
 *                     seen, else on the path's RTO, else from the floor
 * @param path         the first retransmission and the RTO, from the rows; null when they show too few timers
 * @param onPath       {failure, earliest, latest} on the path's RTO (TcpModel.retransmitFailureOnPath); null without a path
 * @param seen         the timer that fails the connection, among those the rows show; null when they end before it
 * @param seconds      measured, seconds after the fault; NaN when the write did not fail
 */
record Failure(Variant variant, int userTimeoutMs, Map<String, String> sysctls, int hz, OutcomeRow outcome, int retries2,
               double rtoMin, double rtoMax, double hypothetical, double model, Path path, double[] onPath, Timer seen,
               int retransmits, double seconds) {

    /** The first retransmission after the fault and the RTO, in seconds. */
    record Path(double first, double rto) {
    }

    /** A retransmission timer: due {@code due} s after the fault, firing up to {@code granule} s later; the {@code number}th. */
    record Timer(double due, double granule, int number) {
    }

    static Failure of(Variant variant, int userTimeoutMs, Map<String, String> sysctls, int hz, OutcomeRow outcome,
                      List<RetransmitRow> rows) {
        int retries2 = retries2(sysctls);
        double rtoMin = TcpModel.seconds(sysctls, "net.ipv4.tcp_rto_min_us", 1e6, TcpModel.RTO_MIN_SECONDS);
        double rtoMax = TcpModel.seconds(sysctls, "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS);
        double hypothetical = TcpModel.retransmitTimeoutSeconds(retries2, rtoMin, rtoMax);
        double model = variant == Variant.USER_TIMEOUT ? TcpModel.userTimeoutFailureSeconds(userTimeoutMs / 1000.0, rtoMin)
                : TcpModel.retransmitFailureSeconds(retries2, rtoMin, rtoMax);
        double seconds = outcome.failed() ? (outcome.failedMs() - outcome.faultMs()) / 1000.0 : Double.NaN;
        int retransmits = rows.stream().mapToInt(RetransmitRow::retransmits).max().orElse(0);
        long faultMs = outcome.faultMs() == null ? 0 : outcome.faultMs();
        Map<Integer, Long> fires = faultMs == 0 ? Map.of() : fires(rows);
        Path path = faultMs == 0 ? null : pathRto(fires, faultMs);
        boolean onRetries2 = variant != Variant.USER_TIMEOUT && path != null;
        double[] onPath = onRetries2 ? TcpModel.retransmitFailureOnPath(retries2, path.first(), path.rto(), rtoMin, rtoMax, hz) : null;
        // the kernel's check applied to the timers the socket table showed: the first one due the hypothetical timeout or more
        // after the first retransmission ends the connection, up to one timer-wheel granule after it was due
        Timer seen = onRetries2 ? failingTimer(fires, faultMs, faultMs + Math.round(path.first() * 1000), hypothetical, hz) : null;
        if (seen != null) {
            model = seen.due();
        } else if (onPath != null) {
            model = onPath[0];
        }
        return new Failure(variant, userTimeoutMs, sysctls, hz, outcome, retries2, rtoMin, rtoMax, hypothetical, model, path, onPath,
                seen, retransmits, seconds);
    }

    static int retries2(Map<String, String> settings) {
        return Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_retries2", "15").trim());
    }

    boolean failed() {
        return outcome.failed();
    }

    /**
     * When the model retransmits, seconds after the fault: at each timer before the failing one, the
     * first at the path's first retransmission, then doubling from the path's RTO up to tcp_rto_max
     * (tcp_retransmit_timer, net/ipv4/tcp_timer.c); the floor where no RTO was measured.
     */
    double[] modelSends() {
        double at = path == null ? rtoMin : path.first();
        double interval = path == null ? rtoMin : path.rto();
        List<Double> sends = new java.util.ArrayList<>();
        double step = at;
        // the timer at the model's failure (within a quarter of its interval: the seen timer's time) ends rather than sends
        while (at < model - step / 4 && sends.size() < 200) {
            sends.add(at);
            interval = Math.min(rtoMax, interval * 2);
            step = interval;
            at += interval;
        }
        return sends.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The model with an RTO of exactly the floor: the textbook figure. */
    double atFloor() {
        return TcpModel.retransmitFailureSeconds(retries2, rtoMin, rtoMax);
    }

    /**
     * Whether an RTO of exactly the floor makes the same timer end the connection as the path's RTO
     * does (at tcp_retries2 = 1, timer 3 either way): then the row cannot tell the two models apart.
     */
    boolean floorGivesTheSameTimer() {
        if (variant == Variant.USER_TIMEOUT || path == null) {
            return false;
        }
        int onPath = seen != null ? seen.number() : timerNumber(path.rto());
        return onPath == timerNumber(rtoMin);
    }

    /** The number of the timer that ends the connection when the RTO starts at {@code rto}: the first one the hypothetical timeout after timer 1. */
    private int timerNumber(double rto) {
        double since = 0;
        double interval = rto;
        for (int n = 2; n < 200; n++) {
            interval = Math.min(rtoMax, interval * 2);
            since += interval;
            if (since >= hypothetical - 1e-9) {
                return n;
            }
        }
        return 200;
    }

    /**
     * When each retransmission timer was due (epoch ms), as the socket table showed it: a row with k
     * retransmissions shows the time left until timer k + 1 fires, in 1/100 s.
     */
    static Map<Integer, Long> fires(List<RetransmitRow> rows) {
        Map<Integer, Long> fires = new TreeMap<>();
        for (RetransmitRow row : rows) {
            if (row.timerMs() > 0) {
                fires.putIfAbsent(row.retransmits() + 1, row.atMs() + row.timerMs());
            }
        }
        // the timer the socket table shows before the first retransmission can be the tail-loss probe's (ss shows it
        // the same way; tcp_schedule_loss_probe, net/ipv4/tcp_output.c), due a few ms after the last send: then the gap
        // to timer 2 is not half the gap from 2 to 3, as doubling RTOs make it, and timer 1 is no retransmission.
        // Seen in a full run: timer 1 at +31 ms, then gaps of 677, 824 and 1654 ms
        Long first = fires.get(1);
        Long second = fires.get(2);
        Long third = fires.get(3);
        if (first != null && second != null && third != null) {
            double expected = (third - second) / 2.0;
            if (Math.abs((second - first) - expected) > 0.25 * expected) {
                fires.remove(1);
            }
        }
        return fires;
    }

    /**
     * The first retransmission after the fault and the RTO: the RTO is half the gap between the first
     * two timers (the second timeout is twice the first). Null when the rows do not show two timers,
     * or show them out of order (another timer read as a retransmission timer): no RTO is measured.
     */
    static Path pathRto(Map<Integer, Long> fires, long faultMs) {
        Long first = fires.get(1);
        Long second = fires.get(2);
        Long third = fires.get(3);
        Path path = null;
        if (second != null && third != null && first == null) {
            double rto = (third - second) / 4000.0;
            path = new Path((second - faultMs) / 1000.0 - 2 * rto, rto);
        } else if (first != null && second != null) {
            path = new Path((first - faultMs) / 1000.0, (second - first) / 2000.0);
        }
        return path != null && path.rto() > 0 ? path : null;
    }

    /**
     * The first timer the socket table showed that was due {@code hypothetical} s or more after the
     * first retransmission: tcp_write_timeout's check (retransmits_timed_out) passes there first.
     * {@code firstMs}: the first timer, as shown or, when the socket table showed it with no time left,
     * from the next two. Null when the rows end before such a timer.
     */
    static Timer failingTimer(Map<Integer, Long> fires, long faultMs, long firstMs, double hypothetical, int hz) {
        long first = fires.getOrDefault(1, firstMs);
        long previous = first;
        for (Map.Entry<Integer, Long> f : fires.entrySet()) {
            if (f.getKey() >= 2 && f.getValue() - first >= hypothetical * 1000 - 1) {
                double interval = (f.getValue() - previous) / 1000.0;
                return new Timer((f.getValue() - faultMs) / 1000.0, TcpModel.timerGranuleSeconds(interval, hz), f.getKey());
            }
            previous = f.getValue();
        }
        return null;
    }
}
