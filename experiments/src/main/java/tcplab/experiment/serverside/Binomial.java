package tcplab.experiment.serverside;

import java.util.Locale;

/**
 * The band C8 and C9 judge a share of trials by: three binomial standard deviations of the model's
 * chance, plus half a trial (so that a chance of 0 or 1 still has a band). A share inside its band
 * agrees only when the trials were also enough to tell the model from what the claim argues
 * against (a parity-blind allocator, a port that answers 5 % of the time): 0 of 2 is as likely at
 * 5 % as at 0 %.
 */
public final class Binomial {
    private static final int MOST_TRIALS = 1_000_000;

    private Binomial() {
    }

    /** How far a share over {@code trials} may stray from a chance {@code p}. */
    public static double tolerance(double p, int trials) {
        return 3 * Math.sqrt(p * (1 - p) / trials) + 0.5 / trials;
    }

    /** Whether {@code trials} tell a chance {@code p} from {@code other}: other lies outside p's band. */
    public static boolean tells(double p, double other, int trials) {
        return Math.abs(other - p) > tolerance(p, trials) + 1e-9;
    }

    /** The fewest trials that tell {@code p} from {@code other}, as text for a horizon: " (that takes 191)", or "" past a million. */
    public static String trialsToTell(double p, double other) {
        for (int n = 1; n <= MOST_TRIALS && !Double.isNaN(other); n++) {
            if (tells(p, other, n)) {
                return " (that takes " + n + ")";
            }
        }
        return "";
    }

    /**
     * A share's claim as far as its sample carries it: an {@code agrees} whose {@code trials} cannot
     * tell the measured share from {@code edge} (5 %, 95 %) becomes {@code consistent}, saying why;
     * {@code sample} names the trials ("probes in the calm phase").
     */
    public static tcplab.experiment.Claim judged(tcplab.experiment.Claim c, double edge, double measured, int trials, String sample) {
        if (c.verdict() != tcplab.experiment.Claim.Verdict.AGREES || tells(edge, measured, trials)) {
            return c;
        }
        return c.shortOf(String.format(Locale.ROOT, "only %d %s: too few to tell %s %% from %s %%%s", trials, sample, percent(measured),
                percent(edge), trialsToTell(edge, measured)));
    }

    private static String percent(double share) {
        return tcplab.experiment.Claim.number(Math.round(share * 1000) / 10.0);
    }

    /** A tolerance as the row states it, in its band and its explanation alike: two significant digits (±0.36, ±0.025). */
    public static String plusMinus(double tolerance) {
        return "±" + String.format(Locale.ROOT, "%.2g", tolerance).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
}
