package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Trial;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.lab.Capture;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C12's ladders: what the kernel sends once the peer vanished, drawn from the probe connection
 * ({@link WriterAgent}): idle until the fault, then {@link WriterAgent#PROBE_BYTES} bytes, retransmitted
 * on the RTO schedule until tcp_retries2 ends it. The main connection's bulk data would fill any
 * capture, so only the probe's port is captured ({@code raw/ID.probe.pcap}, in the client host, before
 * the server host's drop rules see it); the fault and when the main connection's write failed come from
 * {@code raw/ID.outcome.csv}.
 */
final class Ladders {
    static final String CAPTURE = "probe";
    /** The probe's local port: below the ephemeral range, so the main connection never takes it. */
    static final int PROBE_PORT = StuckWriteExperiment.PORT + 1;
    /** The handshake, the probe's data and its retransmissions (7 at tcp_retries2 = 3), a FIN if it outlives the main connection. */
    private static final int PACKETS = 40;
    private static final int MAX_PANELS = 3;

    private Ladders() {
    }

    /** Run side: captures the probe's port only (null when it cannot: the run goes on). */
    static Capture start(Trial trial) {
        return trial.capture(trial.lab().client(), CAPTURE, "tcp port " + PROBE_PORT, PACKETS);
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r) {
        return data.capture(r, CAPTURE, StuckWriteExperiment.PORT);
    }

    /** For a claim's explanation: "" when the probe was captured (or the run took no capture), else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r) {
        return connection(data, r).claimNote();
    }

    /** Report side: the plain variant's probe, a panel per tcp_retries2 (the first ones); null when none was captured or tried. */
    static Plots.Drawn draw(ExperimentData data) throws IOException {
        List<Ladder.Panel> panels = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<OutcomeRow> outcome = OutcomeRow.TABLE.read(data, r);
            if (!r.ok() || outcome.isEmpty() || outcome.get(0).faultMs() == null || panels.size() == MAX_PANELS
                    || data.params(r).choice("variant", Variant.class) != Variant.PLAIN) {
                continue;
            }
            Packets.Connection c = connection(data, r);
            if (!c.taken()) {
                continue; // recorded before the probe existed
            }
            OutcomeRow o = outcome.get(0);
            String heading = "tcp_retries2 = " + Failure.retries2(r.sysctls());
            panels.add(panel(heading, c, o));
            labels.add(heading);
        }
        if (panels.isEmpty()) {
            return null;
        }
        String title = "What does the kernel send to a vanished peer before the write fails?";
        String note = "A probe connection beside the stuck one, with the same options, captured by tcpdump in the client host: idle until"
                + " the server host drops every packet, then " + WriterAgent.PROBE_BYTES + " bytes, lost (×) and sent again until"
                + " tcp_retries2 ends the connection. The first resend, about 200 ms on, is the tail loss probe (tcp_send_loss_probe);"
                + " then the retransmission timeout doubles from about 200 ms (the RTO floor). Times since the probe's SYN, and under"
                + " each resend since the first send; a long gap is drawn as a break. When the write failed: the stuck connection's own"
                + " record (its bulk data is not captured; the probe fails on its own timer, a little later). Socket states were not"
                + " sampled for the probe.";
        data.charts().save(new Ladder(title, panels, note), "stuck-write-ladder");
        return new Plots.Drawn("stuck-write-ladder", title, "The probe connection's segments, as the kernel sent them (" + String.join("; ", labels)
                + "), beside when the stuck write failed.");
    }

    static Ladder.Panel panel(String heading, Packets.Connection c, OutcomeRow o) {
        List<Ladder.Event> events = new ArrayList<>();
        if (c.captured() && !c.packets().isEmpty()) {
            events.add(new Ladder.Event(c.secondsTo(o.faultMs()), false, "fault: the server host drops everything"));
            if (o.failed()) {
                events.add(new Ladder.Event(c.secondsTo(o.failedMs()), true, "the stuck write fails: " + o.error()));
            }
        }
        double fault = c.secondsTo(o.faultMs());
        // the data sent after the fault, in order: the first send, then its retransmissions
        List<Double> lost = c.packets().stream().filter(p -> p.fromClient() && p.length() > 0 && p.seconds() >= fault)
                .map(Packets.Packet::seconds).toList();
        return new Ladder.Panel(heading, c, List.of()).lost(p -> p.seconds() >= fault).events(events).remarks(p -> {
            int n = p.fromClient() && p.length() > 0 ? lost.indexOf(p.seconds()) : -1;
            return n < 0 ? "" : n == 0 ? "first send" : String.format(Locale.ROOT, "resend %d: +%s", n, Packets.time(p.seconds() - lost.get(0)));
        });
    }
}
