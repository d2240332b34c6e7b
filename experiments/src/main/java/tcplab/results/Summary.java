package tcplab.results;

import java.util.ArrayList;
import java.util.List;
import tcplab.socket.FailureCause;

/** One line per JMH result, for progress output and report tables. */
public final class Summary {
    private Summary() {
    }

    public static String of(JmhResult r) {
        if (r.mode().equals("sample")) {
            return "p50 " + Format.micros(r.percentiles().getOrDefault("50.0", Double.NaN))
                    + ", p99 " + Format.micros(r.percentiles().getOrDefault("99.0", Double.NaN))
                    + ", max " + Format.micros(r.percentiles().getOrDefault("100.0", Double.NaN))
                    + failures(r, r.counter("ok"));
        }
        return "ok " + Format.number(r.counter("ok")) + "/s ± " + Format.number(r.secondary().containsKey("ok")
                ? r.secondary().get("ok").error() : Double.NaN) + failures(r, r.counter("ok"));
    }

    /** ", failures: addrNotAvailable 1.2M/s" or nothing when every attempt succeeded. */
    static String failures(JmhResult r, double ok) {
        List<String> parts = new ArrayList<>();
        for (FailureCause cause : FailureCause.values()) {
            double rate = r.counter(cause.counterName);
            if (rate > 0) {
                parts.add(cause.counterName + " " + Format.number(rate) + "/s");
            }
        }
        return parts.isEmpty() ? "" : "; failed: " + String.join(", ", parts);
    }
}
