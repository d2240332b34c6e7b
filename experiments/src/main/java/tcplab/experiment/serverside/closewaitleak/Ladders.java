package tcplab.experiment.serverside.closewaitleak;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Trial;
import tcplab.lab.Capture;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C13's ladder: the reconnect from a source port the server still holds in CLOSE_WAIT, captured in
 * the client host ({@code raw/ID.reconnect.pcap}, that port only), beside the states the lab read
 * before it and the counters that moved ({@code raw/ID.reconnect.csv}).
 */
final class Ladders {
    static final String CAPTURE = "reconnect";
    /** SYN, challenge ACK, RST, the SYN retried, its handshake, the request and the close, with room. */
    private static final int PACKETS = 30;

    private Ladders() {
    }

    /** Run side: captures the reconnect's port (null when it cannot: the run goes on). */
    static Capture start(Trial trial, int clientPort) {
        return trial.capture(trial.lab().client(), CAPTURE, "tcp port " + CloseWaitLeakExperiment.PORT + " and port " + clientPort, PACKETS);
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r) {
        return data.capture(r, CAPTURE, CloseWaitLeakExperiment.PORT);
    }

    /** For the reconnect claim's explanation: "" when it was captured, else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r) {
        return connection(data, r).claimNote();
    }

    /** Report side: the first leaky configuration's reconnect; null when no configuration made one. */
    static Plots.Drawn draw(ExperimentData data) throws IOException {
        for (RunData.Result r : data.trials()) {
            List<ReconnectRow> rows = ReconnectRow.TABLE.read(data, r);
            if (!r.ok() || rows.isEmpty()) {
                continue;
            }
            ReconnectRow row = rows.get(0);
            Packets.Connection c = connection(data, r);
            List<Ladder.State> states = new ArrayList<>(List.of(Ladder.State.before(true, "no socket"),
                    Ladder.State.before(false, row.serverStateBefore())));
            String note = String.format(Locale.ROOT, "connect() took %s; the request was %s. Counters meanwhile: the server sent %d"
                    + " challenge ACK(s), the client %d RST(s).", Packets.time(row.connectUs() / 1e6), row.outcome().toString().toLowerCase(Locale.ROOT),
                    row.challengeAcks(), row.clientResets());
            Ladder.Panel panel = new Ladder.Panel("reconnect from port " + row.localPort(), c, states, note);
            String title = "What happens when a client reconnects from a port the server holds in CLOSE_WAIT?";
            String figureNote = "Captured by tcpdump in the client host, that port only; times since the first SYN, seq and ack relative to"
                    + " each side's first segment. States: the lab's socket tables just before (the client's FIN_WAIT_2 had timed out, so"
                    + " it holds no socket; the leaky server still holds the old one); not sampled after.";
            data.charts().save(new Ladder(title, List.of(panel), figureNote), "close-wait-leak-ladder");
            return new Plots.Drawn("close-wait-leak-ladder", title, "The reconnect, packet by packet as the kernel sent it (" + r.label() + ").");
        }
        return null;
    }
}
