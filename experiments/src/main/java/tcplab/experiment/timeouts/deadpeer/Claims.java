package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Params;
import tcplab.experiment.timeouts.deadpeer.DeadPeerExperiment.Fault;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/** C11's claims, from the detections alone: for each fault and mechanism, when the client noticed against the model. */
final class Claims {
    static final String[] KEEPALIVE_SYSCTLS = {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"};
    private static final Claim.Metric NOTICED = Claim.Metric.of("noticed_after_fault_s", "seconds from the fault until the client noticed", "s");

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<DetectionRow> rows = DetectionRow.TABLE.read(data, r);
            if (r.ok() && !rows.isEmpty()) {
                List<Claim> mine = of(data.where(r, KEEPALIVE_SYSCTLS), data.params(r), r.sysctls(), rows);
                for (int i = 0; i < mine.size(); i++) { // one claim per row, in order
                    claims.add(mine.get(i).explainedFurther(Ladders.captureNote(data, r, rows.get(i).mechanism())));
                }
            }
        }
        return claims;
    }

    /** One configuration's claims: one per mechanism, under the fault {@code p} names, with the sysctls in effect. */
    static List<Claim> of(Claim.Where where, Params p, Map<String, String> sysctls, List<DetectionRow> rows) {
        Fault fault = p.choice("fault", Fault.class);
        int w = p.integer("window");
        List<Claim> claims = new ArrayList<>();
        for (DetectionRow row : rows) {
            Mechanism m = row.mechanism();
            Expectation e = expectation(fault, m, p, sysctls, row.idleBeforeFault());
            Claim.Where conditions = applying(where.and("mechanism=" + m), m);
            String measured = measured(row, w);
            if (e.detects() && e.high() > w) {
                // the band's top, not the model, must fit: a keepalive probe due inside the window may come late past it
                claims.add(Claim.skipped("C11", "dead-peer", conditions, NOTICED, String.format(Locale.ROOT, "The model says %.1f s, and"
                        + " its band (%s) reaches %.1f s, past the %d s window: widen it to at least %d s, or scale the keepalive sysctls"
                        + " down.", e.model(), e.band().isEmpty() ? "model to its top" : e.band(), e.high(), w, (long) Math.ceil(e.high()) + 1)));
            } else if (e.detects()) {
                Claim c = (row.noticed() ? Claim.between("C11", "dead-peer", conditions, NOTICED, Math.round(e.model() * 100) / 100.0,
                        Math.round(row.noticedAfter() * 100) / 100.0, e.low(), e.high(), e.why())
                        : Claim.check("C11", "dead-peer", conditions, NOTICED, Claim.number(e.model()), measured, false, e.why()))
                        .band(e.band());
                if (m == Mechanism.KEEPALIVE_DEFAULT && fault != Fault.KILL) { // a kill is seen at once at any keepalive setting
                    String scaled = TcpModel.scaledFromDefaults(sysctls, KEEPALIVE_SYSCTLS);
                    c = c.scaled(scaled, scaled.isEmpty() ? "" : String.format(Locale.ROOT, "7200 + 9 × 75 = %.0f s",
                            Keepalive.DEFAULTS.seconds()));
                }
                claims.add(c);
            } else {
                // "never" seen within a window of a few seconds fits the model; it is no proof of never
                double horizon = horizon(m, p, sysctls);
                Claim c = Claim.check("C11", "dead-peer", conditions, NOTICED, "never", measured, !row.noticed(), e.why());
                if (m == Mechanism.KEEPALIVE_DEFAULT) {
                    c = c.scaled(TcpModel.scaledFromDefaults(sysctls, KEEPALIVE_SYSCTLS), "never");
                }
                claims.add(row.noticed() || w > horizon ? c : c.shortOf(m == Mechanism.NONE ? String.format(Locale.ROOT, "'never' rests on"
                        + " a %d s window: with neither keepalive nor a heartbeat nothing is scheduled to notice, but the window shows"
                        + " only %d s of it", w, w) : String.format(Locale.ROOT, "'never' rests on a %d s window, shorter than the %.0f s"
                        + " this mechanism would need to act", w, horizon)));
            }
        }
        return claims;
    }

    /**
     * A mechanism as the report names it: KEEPALIVE_DEFAULT (the raw files' name) runs with the sysctls in
     * effect, which the plans scale down, so the values go beside it rather than reading as the kernel's defaults.
     */
    static String label(Mechanism m, Params p, Map<String, String> sysctls) {
        Keepalive k = Keepalive.of(m, p, sysctls);
        Keepalive d = Keepalive.DEFAULTS;
        return switch (m) {
            case KEEPALIVE_DEFAULT -> k.equals(d) ? String.format(Locale.ROOT, "keepalive from the sysctls (the defaults: %s = %.0f s)",
                    k.sum(), d.seconds()) : String.format(Locale.ROOT, "keepalive from the sysctls (%s; %.0f s at the defaults)", k.sum(),
                    d.seconds());
            case KEEPALIVE_TUNED -> "keepalive set on the socket (" + k.sum() + ")";
            case NONE, HEARTBEAT -> m.name();
        };
    }

    /** What the client saw, as claims.csv and the report say it. */
    static String measured(DetectionRow row, int window) {
        return row.noticed() ? String.format(Locale.ROOT, "%.2f s", row.noticedAfter()) : "not within " + window + " s";
    }

    /** What a mechanism should do under a fault: detect within [low, high] seconds after the fault, or not at all (NaN). */
    record Expectation(double model, double low, double high, String why, String band) {
        Expectation(double model, double low, double high, String why) {
            this(model, low, high, why, "");
        }

        boolean detects() {
            return !Double.isNaN(model);
        }
    }

    static Expectation expectation(Fault fault, Mechanism m, Params p, Map<String, String> settings, double idleBeforeFault) {
        double every = p.integer("heartbeat") / 1000.0;
        double deadline = p.integer("deadline") / 1000.0;
        if (fault == Fault.KILL) {
            if (m == Mechanism.HEARTBEAT) {
                return new Expectation(every, 0, every + 0.2, "The killed process's kernel closed the connection; the next PING"
                        + " finds it closed.", "0 to the heartbeat interval + 0.2 s: the next PING finds the connection closed");
            }
            return new Expectation(0, 0, 0.2, "The killed process's kernel closed its sockets and sent a FIN: read() returns at once,"
                    + " whatever the mechanism.", "at once: 0 to 0.2 s");
        }
        if (m == Mechanism.HEARTBEAT) {
            return new Expectation(deadline, deadline - 0.05, every + deadline + 0.2, "A PING sent after the fault gets no PONG: the"
                    + " heartbeat notices within its interval plus its deadline.", "the deadline − 0.05 s to the heartbeat interval + the"
                    + " deadline + 0.2 s");
        }
        if (m == Mechanism.NONE) {
            return new Expectation(Double.NaN, 0, 0, "Nothing is sent on an idle connection, so nothing can fail: read() waits forever.");
        }
        if (fault == Fault.STOP) {
            return new Expectation(Double.NaN, 0, 0, "A stopped process's kernel still acknowledges the keepalive probes: keepalive"
                    + " sees a live peer.");
        }
        Keepalive k = Keepalive.of(m, p, settings);
        double afterFault = k.seconds() - idleBeforeFault;
        // LINK_DOWN takes the carrier from the client's own end too: a probe its device refuses is not counted
        // and is tried again TCP_RESOURCE_PROBE_INTERVAL (0.5 s) later (tcp_keepalive_timer); seen once as +0.54 s in CI
        double refused = fault == Fault.LINK_DOWN ? 0.5 : 0;
        return new Expectation(afterFault, afterFault - 0.1, afterFault * 1.125 + 0.3 + refused, String.format(Locale.ROOT,
                "Keepalive probes after %d s idle, then every %d s; the connection ends after %s: %d + %d × %d s after"
                        + " the last activity, %.1f s before the fault.%s", k.time(), k.interval(),
                Format.count(k.probes(), "unanswered probe"), k.time(), k.probes(), k.interval(), idleBeforeFault,
                refused > 0 ? " With the link down the client's own end has no carrier: a probe its device refuses is not counted and is"
                        + " sent again 0.5 s later (TCP_RESOURCE_PROBE_INTERVAL), so up to 0.5 s more is allowed." : ""),
                "model − 0.1 s to model + 1/8 of it + 0.3 s (a timer fires up to 1/8 of its delay late at these short delays)"
                        + (refused > 0 ? " + 0.5 s for a probe the carrier-less device refuses" : ""));
    }

    /** A keepalive mechanism's settings: the tuned socket's own, or the sysctls in effect (the kernel's defaults if unread). */
    record Keepalive(int time, int interval, int probes) {
        static final Keepalive DEFAULTS = new Keepalive(7200, 75, 9);

        static Keepalive of(Mechanism m, Params p, Map<String, String> settings) {
            return m == Mechanism.KEEPALIVE_TUNED ? new Keepalive(p.integer("keepIdle"), p.integer("keepInterval"), p.integer("keepCount"))
                    : new Keepalive(sysctl(settings, KEEPALIVE_SYSCTLS[0], DEFAULTS.time), sysctl(settings, KEEPALIVE_SYSCTLS[1], DEFAULTS.interval),
                            sysctl(settings, KEEPALIVE_SYSCTLS[2], DEFAULTS.probes));
        }

        private static int sysctl(Map<String, String> settings, String key, int fallback) {
            String v = settings.get(key);
            return v == null ? fallback : Integer.parseInt(v.trim());
        }

        /** "time + probes × interval s", as the report writes it. */
        String sum() {
            return time + " + " + probes + " × " + interval + " s";
        }

        /** Seconds from the last activity until the connection is declared dead. */
        double seconds() {
            return TcpModel.keepaliveDetectionSeconds(time, interval, probes);
        }
    }

    /** Conditions that apply to a mechanism's row: keepalive settings on the keepalive rows, the heartbeat's on its own. */
    static Claim.Where applying(Claim.Where where, Mechanism m) {
        return switch (m) {
            case NONE -> where.without("keepIdle", "keepInterval", "keepCount", "heartbeat", "deadline").without(KEEPALIVE_SYSCTLS);
            case KEEPALIVE_DEFAULT -> where.without("keepIdle", "keepInterval", "keepCount", "heartbeat", "deadline");
            case KEEPALIVE_TUNED -> where.without("heartbeat", "deadline").without(KEEPALIVE_SYSCTLS);
            case HEARTBEAT -> where.without("keepIdle", "keepInterval", "keepCount").without(KEEPALIVE_SYSCTLS);
        };
    }

    /** When a mechanism would end a connection, from its last activity: a window past it makes "never" a measurement. */
    private static double horizon(Mechanism m, Params p, Map<String, String> settings) {
        return switch (m) {
            case KEEPALIVE_TUNED, KEEPALIVE_DEFAULT -> Keepalive.of(m, p, settings).seconds();
            case HEARTBEAT -> p.integer("heartbeat") / 1000.0 + p.integer("deadline") / 1000.0;
            case NONE -> Keepalive.DEFAULTS.seconds(); // no timer: watch past the default keepalive's to call it never
        };
    }
}
