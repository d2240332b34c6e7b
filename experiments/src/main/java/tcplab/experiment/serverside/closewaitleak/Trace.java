package tcplab.experiment.serverside.closewaitleak;

import java.io.IOException;
import java.util.List;
import java.util.function.ToLongFunction;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.LineRequest;
import tcplab.experiment.serverside.closewaitleak.EventRow.Event;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;
import tcplab.results.RunData;

/** One configuration's raw files, read back, and the numbers both the claims and the report take from them. */
record Trace(List<EventRow> events, List<SampleRow> samples, List<RequestRow> requests, List<AcceptErrorRow> acceptErrors,
             List<ReconnectRow> reconnect) {

    static Trace read(ExperimentData data, RunData.Result r) throws IOException {
        return new Trace(EventRow.TABLE.read(data, r), SampleRow.TABLE.read(data, r), RequestRow.TABLE.read(data, r),
                AcceptErrorRow.TABLE.read(data, r), ReconnectRow.TABLE.read(data, r));
    }

    /** Whether the run got to its end: a run cut short is not measured. */
    boolean complete() {
        return events.stream().anyMatch(e -> e.event() == Event.END);
    }

    /** When {@code event} happened (the last time, if twice); never, if it did not. */
    long at(Event event) {
        long at = Long.MAX_VALUE;
        for (EventRow e : events) {
            if (e.event() == event) {
                at = e.atMs();
            }
        }
        return at;
    }

    /** Where the charts' time starts: both handlers' phases line up from here. */
    long t0() {
        return at(Event.TRAFFIC);
    }

    /** The last sample taken before {@code time}, or null. */
    SampleRow sampleBefore(long time) {
        SampleRow last = null;
        for (SampleRow s : samples) {
            if (s.atMs() < time) {
                last = s;
            }
        }
        return last;
    }

    /** The most of a sampled value from the traffic to the close; -1 with no sample there. */
    long mostUntilClose(ToLongFunction<SampleRow> value) {
        long from = t0();
        long to = at(Event.CLOSE);
        return samples.stream().filter(s -> s.atMs() >= from && s.atMs() <= to).mapToLong(value).max().orElse(-1);
    }

    /** When accept() first failed; -1 if it never did. */
    long firstError() {
        return acceptErrors.isEmpty() ? -1 : acceptErrors.get(0).atMs();
    }

    /** The server's CPU time per wall time from accept()'s first failure to the end of the hold; NaN if it never failed. */
    double cpuWhileFailing() {
        SampleRow failStart = firstError() < 0 ? null : sampleBefore(firstError());
        SampleRow holdEnd = sampleBefore(at(Event.CLOSE));
        if (failStart == null || holdEnd == null) {
            return Double.NaN;
        }
        double wall = holdEnd.atMs() - failStart.atMs();
        return (holdEnd.serverCpuMs() - failStart.serverCpuMs()) / wall;
    }

    List<RequestRow> requests(Phase phase) {
        return requests.stream().filter(r -> r.phase() == phase).toList();
    }

    static long count(List<RequestRow> rows, LineRequest.Outcome outcome) {
        return rows.stream().filter(q -> q.outcome() == outcome).count();
    }
}
