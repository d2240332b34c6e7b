package tcplab.experiment.serverside.adminport;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Params;
import tcplab.experiment.serverside.adminport.EventRow.Event;

/**
 * One configuration's phases: calm; filling (the traffic has started but the pool cannot be full
 * yet, plus one deadline for requests already waiting); saturated; recovered. Claims and report
 * both count probes by it.
 */
final class Timeline {
    enum Phase {
        CALM, FILLING, SATURATED, RECOVERED;

        /** calm, saturated, …: how claims.csv and the report name a phase. */
        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The probes of one phase, by what became of them. */
    record Tally(int probes, int answered, int noAnswer, int notConnected) {
        static final Tally NONE = new Tally(0, 0, 0, 0);

        Tally plus(LineRequest.Outcome o) {
            return new Tally(probes + 1, answered + (o == LineRequest.Outcome.ANSWERED ? 1 : 0),
                    noAnswer + (o == LineRequest.Outcome.NO_ANSWER ? 1 : 0),
                    notConnected + (o != LineRequest.Outcome.ANSWERED && o != LineRequest.Outcome.NO_ANSWER ? 1 : 0));
        }
    }

    /** When the first probe went out: time 0 of the charts. */
    final long t0;
    final long deadlineMillis;
    /** What the business port's accept queue holds when full: backlog + 1 (sk_acceptq_is_full), backlog capped by somaxconn. */
    final long cap;
    /** Where each phase starts, and where the last one ends. */
    private final long[] bounds;

    private Timeline(long t0, long deadlineMillis, long cap, long[] bounds) {
        this.t0 = t0;
        this.deadlineMillis = deadlineMillis;
        this.cap = cap;
        this.bounds = bounds;
    }

    /** The timeline of a configuration; null when it ended early (no END event). */
    static Timeline of(Params p, Map<String, String> sysctls, List<EventRow> events, List<SampleRow> samples) {
        Map<Event, Long> at = new EnumMap<>(Event.class);
        events.forEach(e -> at.put(e.event(), e.atMs()));
        if (!at.containsKey(Event.END)) {
            return null;
        }
        long deadline = p.integer("deadline");
        double saturatesAfterSeconds = (p.integer("workers") + p.integer("queue")) / (double) p.integer("rate");
        long stuck = at.get(Event.STUCK);
        long recovered = at.get(Event.RECOVERED);
        long saturated = Math.min(recovered, stuck + (long) (saturatesAfterSeconds * 1000) + deadline);
        long[] bounds = {at.get(Event.CALM), stuck, saturated, recovered, at.get(Event.END)};
        long cap = Math.min(p.integer("backlog"), Long.parseLong(sysctls.getOrDefault("net.core.somaxconn", "4096"))) + 1;
        // the estimate assumes the load arrives at its rate from the first moment; where the server's own samples show the
        // business accept queue filling later, saturation starts then (a probe before it may still get in and be answered)
        samples.stream().filter(s -> s.atMs() >= bounds[1] && s.businessAcceptQueue() >= cap).mapToLong(SampleRow::atMs).min()
                .ifPresent(full -> bounds[2] = Math.min(bounds[3], Math.max(bounds[2], full)));
        return new Timeline(bounds[0], deadline, cap, bounds);
    }

    long start(Phase phase) {
        return bounds[phase.ordinal()];
    }

    long end(Phase phase) {
        return bounds[phase.ordinal() + 1];
    }

    /** When the downstream got stuck and when it recovered, in seconds since {@link #t0}: the charts' phase lines. */
    List<Double> marks() {
        return List.of(seconds(start(Phase.FILLING)), seconds(start(Phase.RECOVERED)));
    }

    double seconds(long atMs) {
        return (atMs - t0) / 1000.0;
    }

    /** The phase a time falls in, or null outside them all. */
    private Phase phase(long atMs) {
        for (Phase phase : Phase.values()) {
            if (atMs >= start(phase) && atMs < end(phase)) {
                return phase;
            }
        }
        return null;
    }

    /**
     * The phase a probe counts in; null outside them all, and for a probe sent within one deadline
     * of the recovery: the recovery may answer it, so it belongs to neither phase.
     */
    Phase counted(ProbeRow probe) {
        Phase phase = phase(probe.atMs());
        return phase == Phase.SATURATED && probe.atMs() > start(Phase.RECOVERED) - deadlineMillis ? null : phase;
    }

    /** The probes that count, by phase; a phase with none is left out. */
    Map<Phase, Tally> tally(List<ProbeRow> probes) {
        Map<Phase, Tally> byPhase = new EnumMap<>(Phase.class);
        for (ProbeRow probe : probes) {
            Phase phase = counted(probe);
            if (phase != null) {
                byPhase.merge(phase, Tally.NONE.plus(probe.outcome()), (a, b) -> a.plus(probe.outcome()));
            }
        }
        return byPhase;
    }
}
