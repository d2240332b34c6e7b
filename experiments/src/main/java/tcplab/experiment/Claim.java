package tcplab.experiment;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One row of claims.csv: a claim of DESIGN §1 under stated conditions, the kernel model's number
 * beside the measured one, and a verdict; a difference always comes with an explanation.
 */
public record Claim(String claim, String experiment, String conditions, String metric, String model, String measured,
                    String unit, Verdict verdict, String explanation) {

    /** The claims of DESIGN §1 as people state them, in order. */
    public static final Map<String, String> STATEMENTS = statements(
            "C1", "Opening and closing connections costs throughput and latency, and the close style matters.",
            "C2", "TIME_WAIT lasts 2MSL = 60 s on Linux, and tcp_fin_timeout does not change it.",
            "C3", "One client can open only about port_range / 60 s new connections per second to one destination.",
            "C4", "tcp_tw_reuse lifts that ceiling for connect() only, and only with timestamps on.",
            "C5", "More TIME_WAIT sockets can exist than there are ports; their memory is small; tcp_max_tw_buckets caps them.",
            "C6", "When both sides close at once, both end in TIME_WAIT.",
            "C7", "A restarted server fails with \"Address already in use\" without SO_REUSEADDR, and restarts at once with it.",
            "C8", "A listening port inside ip_local_port_range can be taken by an outgoing connection; reserved ports or a port below the"
                    + " range prevent it.",
            "C9", "A management port on its own threads keeps answering when the business threads are stuck; a shared port does not.",
            "C10", "connect() to a host that drops SYNs blocks for the whole SYN retry schedule; a full accept queue drops SYNs, or resets"
                    + " with tcp_abort_on_overflow.",
            "C11", "Keepalive defaults take over two hours to notice a dead peer and never notice a stuck process; a heartbeat notices both.",
            "C12", "With unacknowledged data in flight, tcp_retries2 = 15 takes about 924.6 s to fail, and keepalive does not help.",
            "C13", "A passive closer that never calls close() leaves CLOSE_WAIT sockets that never time out, and the server fails while"
                    + " CPU looks normal.");

    private static Map<String, String> statements(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    public static final String[] COLUMNS = {"claim", "experiment", "conditions", "metric", "model", "measured", "unit", "verdict", "explanation"};

    public enum Verdict {
        AGREES("agrees"), DIFFERS("differs"), SKIPPED("skipped");

        public final String word;

        Verdict(String word) {
            this.word = word;
        }
    }

    /**
     * Model against measurement with a relative tolerance: agrees within it, differs outside it.
     *
     * @param why what the numbers mean either way; required, so a difference is never silent
     */
    public static Claim compare(String claim, String experiment, String conditions, String metric, double model, double measured,
                                String unit, double tolerance, String why) {
        boolean agrees = Math.abs(measured - model) <= tolerance * Math.max(Math.abs(model), 1e-9);
        return new Claim(claim, experiment, conditions, metric, number(model), number(measured), unit,
                agrees ? Verdict.AGREES : Verdict.DIFFERS, why);
    }

    /** Model against measurement where the measurement may fall anywhere from {@code low} to {@code high}. */
    public static Claim between(String claim, String experiment, String conditions, String metric, double model, double measured,
                                double low, double high, String unit, String why) {
        return new Claim(claim, experiment, conditions, metric, number(model), number(measured), unit,
                measured >= low && measured <= high ? Verdict.AGREES : Verdict.DIFFERS, why);
    }

    /** A claim decided by a condition rather than a tolerance (e.g. "no failures", "both sides in TIME_WAIT"). */
    public static Claim check(String claim, String experiment, String conditions, String metric, String model, String measured,
                              String unit, boolean agrees, String why) {
        return new Claim(claim, experiment, conditions, metric, model, measured, unit, agrees ? Verdict.AGREES : Verdict.DIFFERS, why);
    }

    /** A claim this run could not test, and why. */
    public static Claim skipped(String claim, String experiment, String conditions, String metric, String why) {
        return new Claim(claim, experiment, conditions, metric, "", "", "", Verdict.SKIPPED, why);
    }

    /** Numbers as claims.csv writes them: up to 4 significant digits, no exponent for everyday sizes. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    public Object[] row() {
        return new Object[] {claim, experiment, conditions, metric, model, measured, unit, verdict.word, explanation};
    }
}
