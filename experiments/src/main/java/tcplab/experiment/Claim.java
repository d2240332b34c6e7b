package tcplab.experiment;

import java.util.Locale;

/**
 * One row of claims.csv: a claim of DESIGN §1 under stated conditions, the kernel model's number
 * beside the measured one, and a verdict; a difference always comes with an explanation.
 */
public record Claim(String claim, String experiment, String conditions, String metric, String model, String measured,
                    String unit, Verdict verdict, String explanation) {

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
