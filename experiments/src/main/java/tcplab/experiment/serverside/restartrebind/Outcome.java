package tcplab.experiment.serverside.restartrebind;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.serverside.restartrebind.AttemptRow.Result;
import tcplab.experiment.serverside.restartrebind.EventRow.Event;
import tcplab.results.RunData;

/**
 * One configuration's outcome, from its raw files: the first bind() and its error, the attempts, when
 * bind() succeeded (NaN: never), how long the new server tried, how long after the old one went it
 * started, and what was left on the port. Times are seconds.
 */
record Outcome(boolean firstBound, String error, int attempts, double boundAfter, double windowSeconds, double sinceLeftover,
               Map<String, Long> leftover, Map<String, Boolean> javaDefaults) {

    boolean bound() {
        return !Double.isNaN(boundAfter);
    }

    /** The sockets left on the port, the listener aside. */
    long leftSockets() {
        return leftover.entrySet().stream().filter(e -> !e.getKey().equals("LISTEN")).mapToLong(Map.Entry::getValue).sum();
    }

    static Outcome read(ExperimentData data, RunData.Result r) throws IOException {
        return of(AttemptRow.TABLE.read(data, r), EventRow.TABLE.read(data, r), LeftoverRow.TABLE.read(data, r),
                JavaDefaultRow.TABLE.read(data, r));
    }

    static Outcome of(List<AttemptRow> attempts, List<EventRow> events, List<LeftoverRow> states, List<JavaDefaultRow> defaults) {
        // times count from the new server's first attempt, not from its JVM's start
        long newStarted = events.stream().filter(e -> e.event() == Event.NEW_STARTED).mapToLong(EventRow::atMs).reduce((a, b) -> b)
                .orElse(0L);
        long started = attempts.isEmpty() ? newStarted : attempts.get(0).atMs();
        long leftoverSince = events.stream().filter(e -> e.event() != Event.NEW_STARTED).mapToLong(EventRow::atMs).findFirst()
                .orElse(started);
        double boundAfter = Double.NaN;
        long last = started;
        for (AttemptRow a : attempts) {
            last = a.atMs();
            if (a.outcome() == Result.BOUND) {
                boundAfter = (last - started) / 1000.0;
            }
        }
        Map<String, Long> left = new LinkedHashMap<>();
        states.forEach(s -> left.put(s.state(), s.sockets()));
        Map<String, Boolean> java = new LinkedHashMap<>();
        defaults.forEach(d -> java.put(d.api(), d.soReuseAddr()));
        AttemptRow first = attempts.isEmpty() ? null : attempts.get(0);
        return new Outcome(first != null && first.outcome() == Result.BOUND, first == null ? "" : first.error(), attempts.size(),
                boundAfter, (last - started) / 1000.0, (started - leftoverSince) / 1000.0, left, java);
    }
}
