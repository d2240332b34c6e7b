package tcplab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcplab.results.RunData;

/**
 * A configuration's rate iteration by iteration (warmup, then measurement; all threads summed), and
 * whether it collapsed: the client filled its port range with TIME_WAIT it could not reuse
 * ({@link Findings.TimeWait#filledTheRange}) and the rate fell for good. The mean of the measurement
 * iterations mixes the fast start with the scan-limited rest; {@link #after} is the rate once it fell.
 *
 * @param starts    each iteration's start, seconds since the warmup began
 * @param rates     complete cycles per second in each iteration
 * @param warmup    how many of the iterations are warmup
 * @param fellBy    seconds since the warmup began by which the rate had fallen; NaN when it did not collapse
 */
record Collapse(double[] starts, double[] rates, double[] durations, int warmup, double fellBy) {

    /** A fall to a third or less of the first iteration's rate counts; the iteration it reached ×1.5 of the last one's rate is where it had fallen. */
    private static final double FALL = 3;
    private static final double SETTLED = 1.5;

    static Collapse of(RunData.Result r) {
        Map<Integer, Long> warm = new TreeMap<>();
        Map<Integer, Long> measured = new TreeMap<>();
        for (Map<String, String> o : r.outcomes()) {
            Map<Integer, Long> phase = "warmup".equals(o.get("phase")) ? warm : "measurement".equals(o.get("phase")) ? measured : null;
            if (phase != null) {
                phase.merge(Integer.parseInt(o.get("iteration")), Long.parseLong(o.get("ok")), Long::sum);
            }
        }
        List<double[]> its = new ArrayList<>(); // {duration, ok}
        warm.values().forEach(ok -> its.add(new double[] {r.jmh().warmupSeconds(), ok}));
        measured.values().forEach(ok -> its.add(new double[] {r.jmh().measurementSeconds(), ok}));
        int n = its.size();
        double[] starts = new double[n];
        double[] rates = new double[n];
        double[] durations = new double[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            starts[i] = t;
            durations[i] = its.get(i)[0];
            rates[i] = its.get(i)[1] / durations[i];
            t += durations[i];
        }
        double fellBy = Double.NaN;
        if (n >= 2 && Findings.TimeWait.filledTheRange(r) && rates[0] > FALL * rates[n - 1]) {
            for (int i = 1; i < n; i++) {
                if (rates[i] <= SETTLED * rates[n - 1]) {
                    fellBy = starts[i];
                    break;
                }
            }
        }
        return new Collapse(starts, rates, durations, warm.size(), fellBy);
    }

    boolean collapsed() {
        return !Double.isNaN(fellBy);
    }

    /** Seconds from the start of the warmup to the end of the last iteration. */
    double length() {
        int n = rates.length;
        return n == 0 ? 0 : starts[n - 1] + durations[n - 1];
    }

    /** The first iteration's rate: what the client managed before its range filled (a lower bound, if it filled during it). */
    double before() {
        return rates.length == 0 ? Double.NaN : rates[0];
    }

    /** Mean rate of the measurement iterations that began once the rate had fallen. */
    double after() {
        double sum = 0;
        int n = 0;
        for (int i = warmup; i < rates.length; i++) {
            if (starts[i] >= fellBy) {
                sum += rates[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Whether every measured iteration began after the fall, so every measured cycle came from the filled range. */
    boolean beforeMeasurement() {
        return collapsed() && warmup < starts.length && fellBy <= starts[warmup];
    }
}
