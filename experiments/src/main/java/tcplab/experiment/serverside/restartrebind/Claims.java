package tcplab.experiment.serverside.restartrebind;

import static tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.NAME;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/** C7's claims: the new server's first bind() against the model, and where it fails, how long it kept failing. */
final class Claims {
    static final Claim.Metric FIRST_BIND = Claim.Metric.of("first_bind", "first bind() of the new server", "");
    static final Claim.Metric KEEPS_FAILING = Claim.Metric.of("bind_keeps_failing", "bind() keeps failing while retried", "");
    static final Claim.Metric BOUND_AFTER = Claim.Metric.of("bind_succeeds_after_death_s", "bind() succeeds this long after the old"
            + " process died", "s");

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok()) {
                String ladder = Ladders.captureNote(data, r);
                of(data.where(r), Setup.of(data.params(r)), Outcome.read(data, r), data.hz(), data.hzText()).forEach(c -> claims.add(c.explainedFurther(ladder)));
            }
        }
        return claims;
    }

    /** One configuration's claims, at the kernel's CONFIG_HZ ({@code hzText} says it in a row). */
    static List<Claim> of(Claim.Where where, Setup s, Outcome o, int hz, String hzText) {
        boolean allowed = s.allowed(o.leftSockets());
        String why = allowed
                ? (o.leftSockets() == 0 ? "Nothing was left on the port, so any bind() succeeds."
                        : "The leftover sockets inherited SO_REUSEADDR from the old listener and the new socket has it too: Linux lets"
                                + " them share the port (only another listener would conflict).")
                : "Sockets were left on the port and " + (!s.oldReuse() && !s.newReuse()
                        ? "neither the old listener (whose connections inherited its options) nor the new socket had SO_REUSEADDR"
                        : !s.oldReuse() ? "the old listener (whose connections inherited its options) lacked SO_REUSEADDR"
                        : "the new socket lacked SO_REUSEADDR") + "; Linux needs it on both, so bind() fails with EADDRINUSE.";
        List<Claim> claims = new ArrayList<>();
        claims.add(Claim.check("C7", NAME, where, FIRST_BIND, allowed ? "bound" : "Address already in use",
                o.firstBound() ? "bound" : o.error(), o.firstBound() == allowed, why));
        if (!allowed) {
            claims.add(retry(where, s.leftover(), o, hz, hzText));
        }
        return claims;
    }

    /** Where the model says bind() fails: how long it kept failing. */
    private static Claim retry(Claim.Where where, Leftover leftover, Outcome o, int hz, String hzText) {
        double granule = TcpModel.timerGranuleSeconds(TcpModel.TIME_WAIT_SECONDS, hz);
        if (leftover == Leftover.TIME_WAIT && o.bound()) {
            // TIME_WAIT began just after the old process died; its 60 s timer fires up to one timer-wheel
            // granule late, and the new server retries every 100 ms (+ 0.5 s for the old process's death to land).
            double since = o.sinceLeftover() + o.boundAfter();
            double high = TcpModel.TIME_WAIT_SECONDS + granule + RestartRebindExperiment.RETRY_EVERY_MILLIS / 1000.0 + 0.5;
            return Claim.between("C7", NAME, where, BOUND_AFTER, TcpModel.TIME_WAIT_SECONDS, Math.round(since * 100) / 100.0,
                    TcpModel.TIME_WAIT_SECONDS, high,
                    String.format(Locale.ROOT, "The server's side of each connection waited in TIME_WAIT (60 s, TCP_TIMEWAIT_LEN) and"
                            + " held the port; bind() succeeded once the last one was gone, %.2f s after the old process died (the model"
                            + " allows 60 to %.1f s: the 60 s timer fires up to %.3f s late at %s).", since, high, granule, hzText))
                    .band(String.format(Locale.ROOT, "timer-wheel granule %.3f s + the 100 ms retry + 0.5 s", granule));
        }
        double window = o.windowSeconds();
        // 1 s beyond the timer's latest firing covers the 100 ms retry and the old process's exit
        double enough = TcpModel.TIME_WAIT_SECONDS + granule + 1;
        boolean longEnough = leftover == Leftover.TIME_WAIT && window > enough;
        String model = leftover == Leftover.TIME_WAIT ? "fails for 60 s" : "fails while the connections stay open";
        String why = leftover == Leftover.TIME_WAIT
                ? (longEnough ? "TIME_WAIT should have ended within the window, yet bind() kept failing."
                        : String.format(Locale.ROOT, "TIME_WAIT lasts 60 s, longer than this %.1f s retry window. A window over %.2f s"
                                + " sees it end (60 s + the 60 s timer's %.3f s timer-wheel granule at %s + 1 s for the retry step and the"
                                + " old process's exit): set retry to %d or more.", window, enough, granule, hzText,
                                (int) Math.ceil(enough)))
                : "The old process still holds ESTABLISHED connections on the port, so bind() fails for as long as it keeps them.";
        Claim c = Claim.check("C7", NAME, where, KEEPS_FAILING, model,
                o.bound() ? String.format(Locale.ROOT, "bound after %.2f s", o.boundAfter())
                        : String.format(Locale.ROOT, "failed for %.1f s (%s)", window, Format.count(o.attempts(), "attempt")),
                !o.bound() && !longEnough, why);
        // short of the horizon only when the window ended before TIME_WAIT could have: past that, a failure is seen whole
        return leftover == Leftover.TIME_WAIT && !o.bound() && !longEnough ? c.shortOf(String.format(Locale.ROOT,
                "retried for %.1f s of TIME_WAIT's 60 s, so its end was not seen", window)) : c;
    }
}
