package tcplab.experiment.timeouts.connecttimeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/** C10's claims, from the attempts and the dropped-SYN count alone: how long connect() took and how many SYNs it sent, against the model. */
final class Claims {
    private static final String NAME = "connect-timeout";

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<AttemptRow> attempts = AttemptRow.TABLE.read(data, r);
            if (r.ok() && !attempts.isEmpty()) {
                Claim.Where where = data.where(r, "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_syn_linear_timeouts", "net.ipv4.tcp_rto_max_ms");
                String ladder = Ladders.captureNote(data, r);
                of(where, Model.of(r.sysctls(), data.params(r).integer("connectTimeout")),
                        TcpModel.scaledFromDefaults(r.sysctls(), "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_syn_linear_timeouts"),
                        data.hz(), data.hzText(), attempts, TotalsRow.TABLE.read(data, r)).forEach(c -> claims.add(c.explainedFurther(ladder)));
            }
        }
        return claims;
    }

    /**
     * One configuration's claims: the time to failure and, when the server host's count of dropped SYNs
     * is there ({@code totals}), the SYNs per connect. {@code scaled}: the sysctls that differ from the
     * defaults the claim is about; {@code hz} and {@code hzText}: the CONFIG_HZ the timer granules come from.
     */
    static List<Claim> of(Claim.Where where, Model m, String scaled, int hz, String hzText, List<AttemptRow> attempts,
                          List<TotalsRow> totals) {
        List<Claim> claims = new ArrayList<>();
        double mean = mean(attempts);
        boolean outcomes = attempts.stream().allMatch(a -> a.outcome() == m.outcome());
        // a kernel timer never fires early, and each SYN timer up to one timer-wheel granule late (they add up
        // along the schedule); the client's clock reads are ms apart
        double slack = m.appWins() ? 0.1 : Model.scheduleSlack(m.kernel(), hz) + 0.2;
        double low = m.failsAfter() - 0.05;
        double high = m.appWins() ? m.appSeconds() + 0.1 : m.kernel().failsAt() + slack;
        Claim.Metric metric = Claim.Metric.of("connect_fails_after_s", "seconds until connect() fails (mean of " + attempts.size() + ")", "s");
        String why = why(m, mean, attempts, outcomes);
        Claim failsAfter = (outcomes ? Claim.between("C10", NAME, where, metric, m.failsAfter(), Math.round(mean * 100) / 100.0,
                low, high, why) : Claim.check("C10", NAME, where, metric, Claim.number(m.failsAfter()), Claim.number(mean), false, why))
                .band(m.appWins() ? "the application's timer + 100 ms" : String.format(Locale.ROOT,
                        "the SYN timers' timer-wheel granules summed (%.3f s at %s) + 0.2 s", slack - 0.2, hzText));
        // the claim is about the defaults, 6 retries with this kernel's linear timeouts: a row at other values is scaled
        if (!m.appWins()) {
            failsAfter = failsAfter.scaled(scaled, Claim.number(m.atDefaults().failsAt()) + " s");
        }
        claims.add(failsAfter);
        if (!totals.isEmpty()) {
            long perAttempt = totals.get(0).synsDropped() / attempts.size();
            int full = 1 + m.retries() + m.linear();
            claims.add(Claim.check("C10", NAME, where, Claim.Metric.of("syns_per_connect", "SYNs sent per connect() (dropped by"
                    + " the server host)", "SYNs"), Integer.toString(m.syns()), Long.toString(perAttempt), perAttempt == m.syns(), m.appWins()
                            ? "The SYNs the schedule sends before the application's timeout; then the application closes the socket."
                            : m.syns() == full ? String.format(Locale.ROOT, "The first SYN and tcp_syn_retries (%d) + tcp_syn_linear_timeouts"
                            + " (%d) retransmissions.", m.retries(), m.linear())
                            : String.format(Locale.ROOT, "The first SYN and %s, not the %d that tcp_syn_retries (%d) +"
                            + " tcp_syn_linear_timeouts (%d) allow: the time limit, 2^(%d + 1) - 1 = %.0f s since the first SYN, ends"
                            + " connect() first.", Format.count(m.syns() - 1, "retransmission"), full - 1, m.retries(), m.linear(),
                            m.retries(), Math.pow(2, m.retries() + 1) - 1)));
        }
        return claims;
    }

    /** The mean time to failure of the attempts, seconds. */
    static double mean(List<AttemptRow> attempts) {
        return attempts.stream().mapToDouble(AttemptRow::seconds).average().orElse(Double.NaN);
    }

    private static String why(Model m, double mean, List<AttemptRow> attempts, boolean outcomes) {
        if (!outcomes) {
            return "connect() did not end the expected way (" + m.outcome() + "): " + attempts.stream().map(a -> a.outcome()
                    + (a.error().isEmpty() ? "" : " (" + a.error() + ")")).distinct().toList();
        }
        if (m.appWins()) {
            return String.format(Locale.ROOT, "The application's %.1f s timeout is shorter than the kernel's %.0f s, so it ends the"
                    + " connect: the kernel's schedule no longer matters.", m.appSeconds(), m.kernel().failsAt());
        }
        // the kernel stops at whichever limit a timer finds reached first (tcp_write_timeout, net/ipv4/tcp_timer.c): name that one
        int allowed = m.retries() + m.linear();
        int sent = m.kernel().syns() - 1;
        String limit = sent >= allowed
                ? String.format(Locale.ROOT, "as the limit of tcp_syn_retries + tcp_syn_linear_timeouts, %s, is reached",
                        Format.count(allowed, "retransmission"))
                : String.format(Locale.ROOT, "as the time limit, 2^(tcp_syn_retries + 1) - 1 = %.0f s since the first SYN, comes before the"
                        + " %s tcp_syn_retries + tcp_syn_linear_timeouts allow", Math.pow(2, m.retries() + 1) - 1,
                        Format.count(allowed, "retransmission"));
        return String.format(Locale.ROOT, "The model: SYNs at %s (the first and %s); the connect fails when the next timer fires, at"
                + " %.0f s, %s. Measured: %.2f s. The kernel's timers fire no earlier than asked and up to 1/8 of their delay later (the"
                + " timer wheel), so the measurement sits slightly above the model.", Model.schedule(m.kernel().sendTimes()),
                Format.count(sent, "retransmission"), m.kernel().failsAt(), limit, mean);
    }
}
