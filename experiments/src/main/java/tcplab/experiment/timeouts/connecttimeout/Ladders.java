package tcplab.experiment.timeouts.connecttimeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Trial;
import tcplab.lab.Capture;
import tcplab.lab.ServerProcess;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C10's ladders: the first connect() of each configuration, SYN by SYN, captured in the client host
 * ({@code raw/ID.connect.pcap}) before the server host's drop rule sees them, beside when connect()
 * returned and how ({@code raw/ID.attempts.csv}).
 */
final class Ladders {
    static final String CAPTURE = "connect";
    /** The first attempt's SYNs (11 with the default 6 retries and 4 linear timeouts) and some of the next attempt's. */
    private static final int PACKETS = 24;
    /** Panels side by side in one figure; a plan with more configurations shows the first ones. */
    private static final int MAX_PANELS = 3;

    private Ladders() {
    }

    /** Run side: captures the SYNs to the server port (null when it cannot: the run goes on). */
    static Capture start(Trial trial) {
        return trial.capture(trial.lab().client(), CAPTURE, "tcp port " + ServerProcess.PORT, PACKETS);
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r) {
        return data.capture(r, CAPTURE, ServerProcess.PORT);
    }

    /** For a claim's explanation: "" when the first connect() was captured, else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r) {
        return connection(data, r).claimNote();
    }

    /** Report side: the first configurations' first connect(), side by side; null when none ran. */
    static Plots.Drawn draw(ExperimentData data) throws IOException {
        List<Ladder.Panel> panels = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<AttemptRow> attempts = AttemptRow.TABLE.read(data, r);
            if (!r.ok() || attempts.isEmpty() || panels.size() == MAX_PANELS) {
                continue;
            }
            Packets.Connection c = connection(data, r);
            AttemptRow first = attempts.get(0);
            List<Ladder.State> states = new ArrayList<>();
            if (SynRow.TABLE.read(data, r).stream().anyMatch(s -> s.attempt() == 1)) {
                states.add(Ladder.State.before(true, "SYN_SENT"));
            }
            List<Ladder.Event> events = c.captured() && !c.packets().isEmpty()
                    ? List.of(new Ladder.Event(c.secondsTo(first.endMs()), true, "connect() returns: " + first.outcome())) : List.of();
            panels.add(new Ladder.Panel(r.label(), c, states).lost(p -> p.fromClient() && p.flags().contains(Packets.Flag.SYN)).events(events));
            labels.add(r.label());
        }
        if (panels.isEmpty()) {
            return null;
        }
        String title = "Which SYNs does connect() send before it gives up?";
        String note = "The first connect() of each configuration, captured by tcpdump in the client host; the server host drops every SYN"
                + " to port " + ServerProcess.PORT + " (×). Times since the first SYN; a long gap is drawn as a break and says its length."
                + " SYN_SENT: as the socket table showed it while connect() waited; when connect() returned: the client's own record.";
        data.charts().save(new Ladder(title, panels, note), "connect-timeout-ladder");
        return new Plots.Drawn("connect-timeout-ladder", title, "Every SYN of one connect(), as the kernel sent it (" + String.join("; ", labels)
                + (data.trials().size() > MAX_PANELS ? "; the first " + MAX_PANELS + " configurations" : "") + ").");
    }
}
