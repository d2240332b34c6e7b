package tcplab.experiment.serverside.adminport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Params;
import tcplab.experiment.serverside.Binomial;
import tcplab.experiment.serverside.adminport.AdminPortExperiment.Mode;
import tcplab.experiment.serverside.adminport.Timeline.Phase;
import tcplab.experiment.serverside.adminport.Timeline.Tally;
import tcplab.results.RunData;

/** C9's claims, from the probes, events and server samples alone: who answers in each phase, and how full the accept queue got. */
final class Claims {
    static final Claim.Metric ANSWERED = Claim.Metric.of("management_answered_share", "share of management requests answered", "");

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok()) {
                claims.addAll(of(data.where(r), data.params(r), r.sysctls(), EventRow.TABLE.read(data, r), ProbeRow.TABLE.read(data, r),
                        SampleRow.TABLE.read(data, r)));
            }
        }
        return claims;
    }

    /** One configuration's claims; none when it ended early. */
    static List<Claim> of(Claim.Where where, Params p, Map<String, String> sysctls, List<EventRow> events, List<ProbeRow> probes,
                          List<SampleRow> samples) {
        Timeline timeline = Timeline.of(p, sysctls, events, samples);
        if (timeline == null) {
            return List.of();
        }
        Map<Phase, Tally> byPhase = timeline.tally(probes);
        List<Claim> claims = new ArrayList<>();
        claims.add(rate(where, Phase.CALM, byPhase.getOrDefault(Phase.CALM, Tally.NONE), 1.0,
                "Nothing is stuck yet: every management request is answered whatever the port."));
        Tally sat = byPhase.getOrDefault(Phase.SATURATED, Tally.NONE);
        if (sat.probes() == 0) {
            claims.add(Claim.skipped("C9", AdminPortExperiment.NAME, where.and("phase=saturated"), ANSWERED,
                    "No probe fell after the pool filled: make 'stuck' longer than (workers + queue) / rate + the deadline."));
        } else if (p.choice("mode", Mode.class) == Mode.SHARED) {
            claims.add(rate(where, Phase.SATURATED, sat, 0.0, String.format(Locale.ROOT, "All %d business threads and %d queue"
                    + " slots hold stuck requests, so the acceptor stops: management connections wait in the accept queue (connected,"
                    + " no answer: %d) or, once it is full, their SYNs are dropped (did not connect: %d).", p.integer("workers"),
                    p.integer("queue"), sat.noAnswer(), sat.notConnected())));
        } else {
            claims.add(rate(where, Phase.SATURATED, sat, 1.0, "The management port has its own listener and thread, so the"
                    + " stuck business pool and its full accept queue do not reach it."));
        }
        long cap = timeline.cap;
        long maxQueue = samples.stream().mapToLong(SampleRow::businessAcceptQueue).max().orElse(-1);
        claims.add(Claim.check("C9", AdminPortExperiment.NAME, where, Claim.Metric.of("max_business_accept_queue", "most connections seen"
                + " waiting in the business port's accept queue", "connections"), Long.toString(cap), Long.toString(maxQueue), maxQueue == cap,
                "The accept queue is full only when it holds more than the backlog (sk_acceptq_is_full), so it holds backlog + 1 = " + cap
                        + " connections; past that the listener drops SYNs and counts ListenOverflows. Sampled every 100 ms."));
        return claims;
    }

    private static Claim rate(Claim.Where where, Phase phase, Tally t, double model, String why) {
        double measured = t.probes() == 0 ? Double.NaN : (double) t.answered() / t.probes();
        // a probe lost to a scheduling hiccup is not a refutation; a port that answers at most 1 in 20 is not answering
        double edge = model >= 1 ? 0.95 : 0.05;
        Claim c = Claim.between("C9", AdminPortExperiment.NAME, where.and("phase=" + phase.word()), ANSWERED, model,
                Math.round(measured * 1000) / 1000.0, Math.min(model, edge), Math.max(model, edge),
                why + String.format(Locale.ROOT, " %d of %d answered.", t.answered(), t.probes()))
                .band((model >= 1 ? "at least 95 %: a probe lost to a scheduling hiccup is no refutation"
                        : "at most 5 %: a port that answers 1 in 20 is not answering")
                        + "; agrees when 3 binomial standard deviations over the probes rule out " + Claim.number(edge * 100) + " %");
        // 0 of 2 is as likely from a port that answers 5 % of the time as from one that never does
        return Binomial.judged(c, edge, measured, t.probes(), "probes in the " + phase.word() + " phase");
    }
}
