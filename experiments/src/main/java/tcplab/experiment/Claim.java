package tcplab.experiment;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One row of claims.csv: a claim (docs/claims.md) under stated conditions, the kernel model beside
 * what was measured, the band within which they agree and where it comes from, and a verdict a
 * reader can quote:
 * <ul>
 *   <li>{@code agrees}: measured at the claim's own scale and horizon, inside the band;</li>
 *   <li>{@code consistent}: inside the band, but the run stopped short of the model's horizon (a 1 s
 *       retry window for a 60 s claim, "never" seen in a 4 s window, a timer read instead of watched
 *       to its end): {@link #horizon} says what was short;</li>
 *   <li>{@code differs}: outside the band;</li>
 *   <li>{@code skipped}: not tested, and why.</li>
 * </ul>
 * Numbers are numbers ({@link #modelValue}, {@link #measuredValue}, in {@link Metric#unit}); a
 * text outcome ("Address already in use", "never") goes in {@link #modelOutcome} and
 * {@link #measuredOutcome} instead. When sysctls were scaled down from the defaults the claim talks
 * about, {@link #scaled} names them and {@link #modelAtDefaults} gives the model's value there.
 */
public record Claim(String claim, String experiment, Where where, Metric metric, double modelValue, double measuredValue,
                    double low, double high, String modelOutcome, String measuredOutcome, Verdict verdict, String band,
                    String horizon, String scaled, String modelAtDefaults, String explanation) {

    /** What is measured: a stable id for scripts (e.g. {@code time_wait_lifetime_s}), a label for people, a unit ("" for shares and counts of outcomes). */
    public record Metric(String id, String label, String unit) {
        public Metric {
            if (!id.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("metric id '" + id + "' is not snake_case");
            }
        }

        public static Metric of(String id, String label, String unit) {
            return new Metric(id, label, unit);
        }
    }

    /**
     * Which configuration a row comes from (its id joins configurations.csv and the raw/ files) and
     * the conditions that apply to the row, key=value;… with each key once.
     */
    public record Where(String configuration, String conditions) {
        /** The same with {@code key=value} added, or replacing the key's value if present. */
        public Where and(String pair) {
            String key = pair.substring(0, pair.indexOf('='));
            java.util.List<String> pairs = new java.util.ArrayList<>();
            boolean replaced = false;
            for (String p : conditions.isEmpty() ? new String[0] : conditions.split(";")) {
                if (p.startsWith(key + "=")) {
                    if (!replaced) {
                        pairs.add(pair);
                    }
                    replaced = true;
                } else {
                    pairs.add(p);
                }
            }
            if (!replaced) {
                pairs.add(pair);
            }
            return new Where(configuration, String.join(";", pairs));
        }

        /** The same without the conditions named (parameters that do not apply to this row, e.g. userTimeout on a PLAIN row). */
        public Where without(String... keys) {
            java.util.List<String> pairs = new java.util.ArrayList<>();
            for (String p : conditions.isEmpty() ? new String[0] : conditions.split(";")) {
                if (java.util.Arrays.stream(keys).noneMatch(k -> p.startsWith(k + "="))) {
                    pairs.add(p);
                }
            }
            return new Where(configuration, String.join(";", pairs));
        }
    }

    /** The claims as people state them, in order (docs/claims.md has them with their conditions and models). */
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

    /** Each claim in a few words, for the report's first screen. */
    public static final Map<String, String> SHORT = statements(
            "C1", "connect/close costs; close style matters",
            "C2", "TIME_WAIT lasts 60 s",
            "C3", "ports / 60 s ceiling",
            "C4", "tcp_tw_reuse lifts it",
            "C5", "TIME_WAIT beyond ports; capped",
            "C6", "simultaneous close",
            "C7", "restart: Address already in use",
            "C8", "listen port taken by connect()",
            "C9", "separate admin port",
            "C10", "SYN retries; full accept queue",
            "C11", "keepalive vs heartbeat",
            "C12", "stuck write: tcp_retries2",
            "C13", "CLOSE_WAIT leak");

    private static Map<String, String> statements(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    public static final String[] COLUMNS = {"claim", "experiment", "configuration", "conditions", "metric_id", "metric", "unit", "model",
            "measured", "low", "high", "model_outcome", "measured_outcome", "verdict", "band", "horizon", "scaled", "model_at_defaults",
            "explanation"};

    public enum Verdict {
        AGREES("agrees"), CONSISTENT("consistent"), DIFFERS("differs"), SKIPPED("skipped");

        public final String word;

        Verdict(String word) {
            this.word = word;
        }

        public static Verdict of(String word) {
            for (Verdict v : values()) {
                if (v.word.equals(word)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("no verdict '" + word + "'");
        }
    }

    /**
     * Model against measurement with a relative tolerance: agrees within it, differs outside it.
     *
     * @param why what the numbers mean either way; required, so a difference is never silent
     */
    public static Claim compare(String claim, String experiment, Where where, Metric metric, double model, double measured,
                                double tolerance, String why) {
        double margin = tolerance * Math.max(Math.abs(model), 1e-9);
        return between(claim, experiment, where, metric, model, measured, model - margin, model + margin, why)
                .band(String.format(Locale.ROOT, "model ± %.0f %%", tolerance * 100));
    }

    /** Model against measurement where the measurement may fall anywhere from {@code low} to {@code high}. */
    public static Claim between(String claim, String experiment, Where where, Metric metric, double model, double measured,
                                double low, double high, String why) {
        boolean inside = measured >= low - 1e-9 && measured <= high + 1e-9;
        return new Claim(claim, experiment, where, metric, model, measured, low, high, "", "",
                inside ? Verdict.AGREES : Verdict.DIFFERS, "", "", "", "", why);
    }

    /** A claim decided by a condition rather than a band (e.g. "no failures", "both sides in TIME_WAIT"); numbers when both are numbers. */
    public static Claim check(String claim, String experiment, Where where, Metric metric, String model, String measured,
                              boolean agrees, String why) {
        double m = parse(model);
        double x = parse(measured);
        boolean numbers = !Double.isNaN(m) && !Double.isNaN(x);
        return new Claim(claim, experiment, where, metric, numbers ? m : Double.NaN, numbers ? x : Double.NaN, Double.NaN, Double.NaN,
                numbers ? "" : model, numbers ? "" : measured, agrees ? Verdict.AGREES : Verdict.DIFFERS, "", "", "", "", why);
    }

    /** A claim this run could not test, and why. */
    public static Claim skipped(String claim, String experiment, Where where, Metric metric, String why) {
        return new Claim(claim, experiment, where, metric, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "", "", Verdict.SKIPPED,
                "", "", "", "", why);
    }

    /** Where the band comes from: timer granularity, a binomial interval, the poll interval, and so on. */
    public Claim band(String source) {
        return new Claim(claim, experiment, where, metric, modelValue, measuredValue, low, high, modelOutcome, measuredOutcome, verdict,
                source, horizon, scaled, modelAtDefaults, explanation);
    }

    /**
     * This row stopped short of the claim's own horizon ({@code what}, e.g. "retried for 0.9 s of the
     * 60 s"): an agreement becomes {@code consistent}; a difference stays one.
     */
    public Claim shortOf(String what) {
        return new Claim(claim, experiment, where, metric, modelValue, measuredValue, low, high, modelOutcome, measuredOutcome,
                verdict == Verdict.AGREES ? Verdict.CONSISTENT : verdict, band, horizon.isEmpty() ? what : horizon + "; " + what, scaled,
                modelAtDefaults, explanation);
    }

    /** The same with {@code more} added to its explanation (e.g. that its ladder figure has no capture). */
    public Claim explainedFurther(String more) {
        return more.isEmpty() ? this : new Claim(claim, experiment, where, metric, modelValue, measuredValue, low, high, modelOutcome,
                measuredOutcome, verdict, band, horizon, scaled, modelAtDefaults, explanation + more);
    }

    /**
     * Sysctls scaled down from the defaults the claim is about ("tcp_keepalive_time 2 (default 7200)"),
     * and the model at the defaults. The claim's own scale is its defaults, so an agreement measured
     * at scaled values is {@code consistent}, and says so.
     */
    public Claim scaled(String which, String atDefaults) {
        if (which.isEmpty()) {
            return this;
        }
        Claim c = scaledAtAnyValue(which, atDefaults);
        return c.verdict == Verdict.AGREES ? c.shortOf("measured with scaled sysctls, not at the defaults the claim is about") : c;
    }

    /** The same for a claim that holds at any value of the sysctl ("tcp_fin_timeout governs FIN_WAIT_2"): named, but no horizon missed. */
    public Claim scaledAtAnyValue(String which, String atDefaults) {
        return new Claim(claim, experiment, where, metric, modelValue, measuredValue, low, high, modelOutcome, measuredOutcome, verdict,
                band, horizon, which, atDefaults, explanation);
    }

    /** The model as a reader sees it: its number with the unit, or its text outcome. */
    public String model() {
        return shown(modelValue, modelOutcome);
    }

    /** The model without its unit (a table's header carries it), or its text outcome. */
    public String modelBare() {
        return Double.isNaN(modelValue) ? modelOutcome : number(modelValue);
    }

    /** The measurement without its unit, or its text outcome. */
    public String measuredBare() {
        return Double.isNaN(measuredValue) ? measuredOutcome : number(measuredValue);
    }

    /** The measurement as a reader sees it. */
    public String measured() {
        return shown(measuredValue, measuredOutcome);
    }

    private String shown(double value, String outcome) {
        if (Double.isNaN(value)) {
            return outcome;
        }
        return number(value) + (metric.unit().isEmpty() ? "" : " " + metric.unit());
    }

    public String conditions() {
        return where.conditions();
    }

    private static double parse(String s) {
        try {
            return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.trim());
        } catch (NumberFormatException text) {
            return Double.NaN;
        }
    }

    /** Numbers as claims.csv writes them: whole from 1000 up, else up to 4 significant digits; no exponent for everyday sizes. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15 || Math.abs(v) >= 1000 && Math.abs(v) < 1e15) {
            return Long.toString(Math.round(v)); // counts and everyday sizes in whole units, never an exponent
        }
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    public Object[] row() {
        // a unit goes with numbers: a row whose outcomes are text ("never", "not within 4 s") has none
        String unit = Double.isNaN(modelValue) && Double.isNaN(measuredValue) ? "" : metric.unit();
        return new Object[] {claim, experiment, where.configuration(), where.conditions(), metric.id(), metric.label(), unit,
                number(modelValue), number(measuredValue), number(low), number(high), modelOutcome, measuredOutcome, verdict.word, band,
                horizon, scaled, modelAtDefaults, explanation};
    }
}
