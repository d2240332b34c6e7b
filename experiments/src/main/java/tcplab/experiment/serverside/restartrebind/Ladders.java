package tcplab.experiment.serverside.restartrebind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Trial;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Capture;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C7's ladders: a restart that leaves TIME_WAIT. One of the old server's connections is captured in
 * the client host from the moment all are open ({@code raw/ID.restart.pcap}, that client port only):
 * the kill's FINs and the close, drawn with the kill and the new server's bind() attempts from the
 * experiment's own rows ({@code raw/ID.events.csv}, {@code raw/ID.attempts.csv}) on the same clock.
 */
final class Ladders {
    static final String CAPTURE = "restart";
    private static final int PACKETS = 16;
    private static final int MAX_PANELS = 4;

    private Ladders() {
    }

    /** Run side, for a TIME_WAIT leftover only: captures the lowest client port's connection (null otherwise, or when it cannot). */
    static Capture start(Trial trial, Leftover leftover) throws IOException {
        if (leftover != Leftover.TIME_WAIT) {
            return null;
        }
        int port = RestartRebindExperiment.PORT;
        return TcpSockets.read(trial.lab().client().procNet()).stream().filter(s -> s.remotePort() == port)
                .min(Comparator.comparingInt(TcpSockets.Socket::localPort))
                .map(s -> trial.capture(trial.lab().client(), CAPTURE, "tcp port " + port + " and port " + s.localPort(), PACKETS))
                .orElse(null);
    }

    private static boolean pictured(ExperimentData data, RunData.Result r) {
        return r.ok() && data.params(r).choice("leftover", Leftover.class) == Leftover.TIME_WAIT;
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r) {
        return data.capture(r, CAPTURE, RestartRebindExperiment.PORT);
    }

    /** For a claim's explanation: "" when the configuration has no ladder or its capture is there, else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r) {
        if (!pictured(data, r)) {
            return "";
        }
        return connection(data, r).claimNote();
    }

    /** Report side: the TIME_WAIT configurations side by side; null when none ran. */
    static Plots.Drawn draw(ExperimentData data) throws IOException {
        List<Ladder.Panel> panels = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (!pictured(data, r) || panels.size() == MAX_PANELS) {
                continue;
            }
            Packets.Connection c = connection(data, r);
            List<Ladder.Event> events = new ArrayList<>();
            if (c.captured() && !c.packets().isEmpty()) {
                EventRow.TABLE.read(data, r).stream().filter(e -> e.event() == EventRow.Event.OLD_KILLED).findFirst()
                        .ifPresent(e -> events.add(new Ladder.Event(c.secondsTo(e.atMs()), false, "old server killed (SIGKILL)")));
                List<AttemptRow> attempts = AttemptRow.TABLE.read(data, r);
                for (AttemptRow a : attempts.isEmpty() ? List.<AttemptRow>of() : attempts.size() == 1 ? List.of(attempts.get(0))
                        : List.of(attempts.get(0), attempts.get(attempts.size() - 1))) {
                    events.add(new Ladder.Event(c.secondsTo(a.atMs()), false, "new bind() #" + a.attempt() + ": "
                            + (a.outcome() == AttemptRow.Result.BOUND ? "bound" : shortError(a.error()))));
                }
            }
            Map<String, Long> left = new TreeMap<>();
            LeftoverRow.TABLE.read(data, r).forEach(l -> left.merge(l.state(), l.sockets(), Long::sum));
            if (c.captured() && !c.packets().isEmpty()) {
                // sampled just before the new server started
                EventRow.TABLE.read(data, r).stream().filter(e -> e.event() == EventRow.Event.NEW_STARTED).findFirst()
                        .ifPresent(e -> events.add(new Ladder.Event(c.secondsTo(e.atMs()), false, "port holds " + TcpSockets.describe(left))));
            }
            var p = data.params(r);
            panels.add(new Ladder.Panel("SO_REUSEADDR old " + p.get("oldReuse") + ", new " + p.get("newReuse"), c, List.of()).events(events));
        }
        if (panels.isEmpty()) {
            return null;
        }
        String title = "Can a restarted server bind its port while TIME_WAIT is left on it?";
        String note = "One of the old server's connections, captured by tcpdump in the client host once all were open; times since its first"
                + " captured segment, seq and ack relative to each side's first. The kill and each bind() are the experiment's own records"
                + " on the same clock (first and last attempt). \"port holds\": the server's socket table just before the new server"
                + " started (all the old server's connections); not sampled in between.";
        data.charts().save(new Ladder(title, panels, note), "restart-rebind-ladder");
        return new Plots.Drawn("restart-rebind-ladder", title, "The old server's close and the new server's bind(), with TIME_WAIT left on the port.");
    }

    private static String shortError(String error) {
        return error == null || error.isBlank() ? "failed" : error.replace("java.net.BindException: ", "");
    }
}
