package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C12's claims, from the outcome and the socket-table rows alone: when the stuck write failed, against the kernel's model. */
final class Claims {
    /** When the KEEPALIVE variant's keepalive would end an idle connection: 1 s idle + 1 probe × 1 s. */
    static final double KEEPALIVE_ACTS_SECONDS = 2;
    private static final String NAME = "stuck-write";
    private static final Claim.Metric METRIC = Claim.Metric.of("write_fails_after_s", "seconds from the fault until the write failed", "s");

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Failure> failures = new ArrayList<>();
        List<Claim.Where> wheres = new ArrayList<>();
        List<String> ladders = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            Failure f = read(data, r);
            if (f != null) {
                failures.add(f);
                wheres.add(where(data, r, f.variant()));
                ladders.add(Ladders.captureNote(data, r));
            }
        }
        String atDefaults = atDefaults(failures); // one figure for the run, so no two rows (or the report) quote different ones
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < failures.size(); i++) {
            claims.add(of(wheres.get(i), failures.get(i), data.hzText(), atDefaults).explainedFurther(ladders.get(i)));
        }
        return claims;
    }

    /**
     * What tcp_retries2 = 15 takes on the RTOs this run measured: the first retransmission one RTO after
     * the segment, then the timers TcpModel.retransmitFailureOnPath follows (with an RTO in 200.2 to 234 ms that
     * is 1023 × RTO + 720 s). Each ms of RTO moves it about 1 s, and the socket table dates timers to 1/100 s,
     * so the RTOs of several rows make a range; timers firing late add up to the lateness given.
     */
    static String atDefaults(List<Failure> failures) {
        double low = Double.NaN;
        double high = Double.NaN;
        double late = 0;
        double rtoLow = Double.NaN;
        double rtoHigh = Double.NaN;
        for (Failure f : failures) {
            if (f.variant() != Variant.USER_TIMEOUT && f.path() != null) {
                double rto = f.path().rto();
                double[] at = TcpModel.retransmitFailureOnPath(15, rto, rto, f.rtoMin(), f.rtoMax(), f.hz());
                low = Double.isNaN(low) ? at[0] : Math.min(low, at[0]);
                high = Double.isNaN(high) ? at[0] : Math.max(high, at[0]);
                late = Math.max(late, at[2] - at[0]);
                rtoLow = Double.isNaN(rtoLow) ? rto : Math.min(rtoLow, rto);
                rtoHigh = Double.isNaN(rtoHigh) ? rto : Math.max(rtoHigh, rto);
            }
        }
        if (Double.isNaN(low)) {
            return failures.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f s with an RTO of exactly 200 ms (this run measured no RTO)",
                    TcpModel.retransmitFailureSeconds(15, failures.get(0).rtoMin(), failures.get(0).rtoMax()));
        }
        String seconds = Math.round(low) == Math.round(high) ? "about " + Math.round(low) + " s"
                : "about " + Math.round(low) + " to " + Math.round(high) + " s";
        String rtos = Math.round(rtoLow * 1000) == Math.round(rtoHigh * 1000) ? String.format(Locale.ROOT, "%.0f ms", rtoLow * 1000)
                : String.format(Locale.ROOT, "%.0f to %.0f ms", rtoLow * 1000, rtoHigh * 1000);
        return String.format(Locale.ROOT, "%s, depending on the path's RTO (%s measured here; up to %.0f s more with every timer late)",
                seconds, rtos, late);
    }

    /** A configuration's failure, read back; null when it was not measured. */
    static Failure read(ExperimentData data, RunData.Result r) throws IOException {
        List<OutcomeRow> outcome = OutcomeRow.TABLE.read(data, r);
        if (!r.ok() || outcome.isEmpty()) {
            return null;
        }
        return Failure.of(data.params(r).choice("variant", Variant.class), data.params(r).integer("userTimeout"), r.sysctls(),
                data.hz(), outcome.get(0), RetransmitRow.TABLE.read(data, r));
    }

    /** The conditions that matter to a variant: tcp_retries2 for the kernel's own timeout, userTimeout for TCP_USER_TIMEOUT. */
    static Claim.Where where(ExperimentData data, RunData.Result r, Variant variant) {
        Claim.Where where = data.where(r, "net.ipv4.tcp_retries2").and("variant=" + variant);
        return variant == Variant.USER_TIMEOUT ? where.without("net.ipv4.tcp_retries2") : where.without("userTimeout");
    }

    /** One configuration's claim, with the figure at the defaults from its own RTO. */
    static Claim of(Claim.Where where, Failure f, String hzText) {
        return of(where, f, hzText, atDefaults(List.of(f)));
    }

    /** One configuration's claim; {@code hzText} names the CONFIG_HZ the granules come from; {@code atDefaults}: the run's figure at 15. */
    static Claim of(Claim.Where where, Failure f, String hzText, String atDefaults) {
        OutcomeRow o = f.outcome();
        if (o.unavailable()) {
            return Claim.skipped("C12", NAME, where, METRIC, "TCP_USER_TIMEOUT cannot be set on this machine: " + o.error()
                    + ". The JDK has no option for it; Netty's epoll transport needs its native library for this architecture.");
        }
        Failure.Timer seen = f.seen();
        double[] onPath = f.onPath();
        double model = f.model();
        String why = why(f, hzText);
        // the fault time is taken just after both drop rules apply, and the client notices the failure within ms
        double low = seen != null ? model - 0.05 : onPath == null ? model - 0.1 : onPath[1] - 0.1;
        double high = seen != null ? model + seen.granule() + 0.3 : onPath == null ? model * 1.125 + 0.5 : onPath[2] + 0.3;
        Claim c = f.failed() ? Claim.between("C12", NAME, where, METRIC, Math.round(model * 100) / 100.0,
                Math.round(f.seconds() * 100) / 100.0, low, high, why)
                : Claim.check("C12", NAME, where, METRIC, Claim.number(model), o.error(), false, why);
        c = c.band(seen != null ? "the failing timer from when it was due to one timer-wheel granule later, − 0.05 s / + 0.3 s for the"
                + " socket table's 1/100 s and the clock reads" : onPath == null ? "model − 0.1 s to model + 1/8 of it + 0.5 s"
                : "every timer from on time to one timer-wheel granule late, − 0.1 s / + 0.3 s for the fault's and the failure's clock reads");
        if (seen == null && onPath != null && onPath[1] < onPath[0] - 1e-6) {
            // the RTO sits so near the point where an earlier timer passes the check that timer lateness decides
            c = c.shortOf(String.format(Locale.ROOT, "the measured RTO is within timer lateness of the point where the earlier timer"
                    + " (%.1f s) would end it: the model cannot tell which timer does, so the band spans both", onPath[1]));
        }
        if (f.variant() == Variant.KEEPALIVE && f.failed() && f.seconds() < KEEPALIVE_ACTS_SECONDS) {
            c = c.shortOf(String.format(Locale.ROOT, "the write failed after %.1f s, before keepalive (1 s idle, 1 s interval, 1 probe:"
                    + " %.0f s) could have acted even on an idle connection; a larger tcp_retries2 shows it", f.seconds(), KEEPALIVE_ACTS_SECONDS));
        }
        String scaled = f.variant() == Variant.USER_TIMEOUT ? "" : TcpModel.scaledFromDefaults(f.sysctls(), "net.ipv4.tcp_retries2");
        if (!scaled.isEmpty()) {
            c = c.scaled(scaled, atDefaults);
        }
        if (f.floorGivesTheSameTimer()) {
            c = c.shortOf(String.format(Locale.ROOT, "at tcp_retries2 = %d an RTO of exactly 200 ms gives the same timer: this row does"
                    + " not test that the path's RTO decides", f.retries2()));
        }
        return c;
    }

    private static String why(Failure f, String hzText) {
        Failure.Timer seen = f.seen();
        Failure.Path path = f.path();
        double[] onPath = f.onPath();
        String firstAndRto = path == null ? "" : String.format(Locale.ROOT, " On this path the first retransmission came %.0f ms after"
                + " the fault%s and the RTO measured about %.0f ms, not the 200 ms floor the hypothetical timeout is computed from.",
                path.first() * 1000, path.first() < f.rtoMin() - 1e-6 ? " (under the floor: the fault's time is taken on the run side"
                + " once both drop rules are in place, and the retransmission timer was armed before that, from the last acknowledgement"
                + " or the oldest unacknowledged segment, tcp_rearm_rto)" : "", path.rto() * 1000);
        String atFloor = f.floorGivesTheSameTimer() ? String.format(Locale.ROOT, " An RTO of exactly 200 ms gives the same timer (%.1f s):"
                + " at tcp_retries2 = %d the path's RTO changes nothing, so this row does not test that it decides (at 15 it moves the"
                + " failure a whole doubling).", f.atFloor(), f.retries2())
                : String.format(Locale.ROOT, " With an RTO of exactly 200 ms it would be %.1f s.", f.atFloor());
        String onThePath = seen != null ? firstAndRto + String.format(Locale.ROOT, " The kernel checks tcp_retries2 only when a"
                + " retransmission timer fires (tcp_write_timeout), so the connection fails at the first timer %.1f s or more after the"
                + " first retransmission: of the timers the socket table showed, timer %d, due %.1f s after the fault, firing up to"
                + " %.3f s later (one timer-wheel granule at %s).", f.hypothetical(), seen.number(), seen.due(), seen.granule(), hzText)
                + atFloor
                : onPath == null ? "" : firstAndRto + String.format(Locale.ROOT, " The kernel checks tcp_retries2 only when a"
                + " retransmission timer fires, so the connection fails at the first timer %.1f s or more after the first"
                + " retransmission: %.1f s after the fault (%.1f to %.1f s with each timer up to one timer-wheel granule late at %s).",
                f.hypothetical(), onPath[0], onPath[1], onPath[2], hzText) + atFloor;
        return switch (f.variant()) {
            case PLAIN -> String.format(Locale.ROOT, "With data unacknowledged the kernel retransmits with doubling timeouts. Its"
                    + " hypothetical timeout for tcp_retries2 = %d, %.1f s, counts from the first retransmission (%d retransmissions"
                    + " here).", f.retries2(), f.hypothetical(), f.retransmits()) + onThePath;
            case KEEPALIVE -> String.format(Locale.ROOT, "Keepalive was set to probe after 1 s of idleness, yet the connection failed only"
                    + " when tcp_retries2 = %d said so (%.1f s): a connection with data in flight is not idle, so keepalive never"
                    + " probes it.", f.retries2(), f.model()) + onThePath;
            case USER_TIMEOUT -> String.format(Locale.ROOT, "TCP_USER_TIMEOUT = %d ms replaces tcp_retries2's hypothetical timeout"
                    + " (%.1f s for %d) for this socket: counted from the first retransmission (%.0f ms after the segment), with the"
                    + " retransmission timer clamped to fire when it passes.", f.userTimeoutMs(), f.hypothetical(), f.retries2(),
                    f.rtoMin() * 1000);
        };
    }
}
