package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
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
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            Failure f = read(data, r);
            if (f != null) {
                claims.add(of(where(data, r, f.variant()), f, data.hzText()));
            }
        }
        return claims;
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

    /** One configuration's claim; {@code hzText} names the CONFIG_HZ the granules come from. */
    static Claim of(Claim.Where where, Failure f, String hzText) {
        OutcomeRow o = f.outcome();
        if (o.unavailable()) {
            return Claim.skipped("C12", NAME, where, METRIC, "TCP_USER_TIMEOUT cannot be set on this machine: " + o.error()
                    + ". The JDK has no option for it; Netty's epoll transport needs its native library for this architecture.");
        }
        Failure.Timer seen = f.seen();
        double[] onPath = f.onPath();
        double model = f.model();
        String why = why(f, hzText);
        // the fault time is taken just after the drop rule applies, and the client notices the failure within ms
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
            double atDefaults = onPath == null ? TcpModel.retransmitFailureSeconds(15, f.rtoMin(), f.rtoMax())
                    : TcpModel.retransmitFailureOnPath(15, f.path().first(), f.path().rto(), f.rtoMin(), f.rtoMax(), f.hz())[0];
            // rounded: the RTO is read to a few ms, and at 15 each ms of it moves the failure by about a second
            c = c.scaled(scaled, "about " + Format.number(atDefaults) + " s");
        }
        return c;
    }

    private static String why(Failure f, String hzText) {
        Failure.Timer seen = f.seen();
        Failure.Path path = f.path();
        double[] onPath = f.onPath();
        String onThePath = seen != null ? String.format(Locale.ROOT, " On this path the first retransmission came %.0f ms after the"
                + " fault and the RTO measured about %.0f ms, not the 200 ms floor the hypothetical timeout is computed from. The kernel"
                + " checks tcp_retries2 only when a retransmission timer fires (tcp_write_timeout), so the connection fails at the first"
                + " timer %.1f s or more after the first retransmission: of the timers the socket table showed, timer %d, due %.1f s"
                + " after the fault, firing up to %.3f s later (one timer-wheel granule at %s). With an RTO of exactly 200 ms it would"
                + " be %.1f s.", path.first() * 1000, path.rto() * 1000, f.hypothetical(), seen.number(), seen.due(), seen.granule(),
                hzText, f.atFloor())
                : onPath == null ? "" : String.format(Locale.ROOT, " On this path the first retransmission came %.0f ms after"
                + " the fault and the RTO measured %.0f ms, not the 200 ms floor the hypothetical timeout is computed from; the kernel"
                + " checks tcp_retries2 only when a retransmission timer fires, so the connection fails at the first timer %.1f s or"
                + " more after the first retransmission: %.1f s after the fault (%.1f to %.1f s with each timer up to one timer-wheel"
                + " granule late at %s). With exactly 200 ms it would be %.1f s.", path.first() * 1000, path.rto() * 1000,
                f.hypothetical(), onPath[0], onPath[1], onPath[2], hzText, f.atFloor());
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
