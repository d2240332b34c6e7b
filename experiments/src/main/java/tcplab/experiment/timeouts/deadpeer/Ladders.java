package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Message;
import tcplab.experiment.Params;
import tcplab.experiment.Trial;
import tcplab.experiment.timeouts.deadpeer.DeadPeerExperiment.Fault;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;
import tcplab.lab.Capture;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C11's ladders: the tuned keepalive's connection and the heartbeat's side by side, each captured in
 * the client host ({@code raw/ID.keepalive.pcap}, {@code raw/ID.heartbeat.pcap}) from just before the
 * fault to the end of the watch, with the fault and when each mechanism noticed ({@code raw/ID.detections.csv}).
 * The four connections share the server port, so each capture filters on its connection's client
 * port, which the client reports when it is ready.
 */
final class Ladders {
    /** The captures, one per connection drawn, and the mechanisms they show. */
    private static final List<Mechanism> DRAWN = List.of(Mechanism.KEEPALIVE_TUNED, Mechanism.HEARTBEAT);
    /** A few probes and their answers, or a few PINGs and their retransmissions; a stopped peer answers probes for the whole window. */
    private static final int PACKETS = 30;
    /** The faults drawn, one figure each: DROP (nothing answers), STOP (the kernel answers the probes, nothing the PINGs). */
    private static final List<Fault> FAULTS = List.of(Fault.DROP, Fault.STOP);

    private Ladders() {
    }

    static String capture(Mechanism m) {
        return m == Mechanism.HEARTBEAT ? "heartbeat" : "keepalive";
    }

    /**
     * Run side: under a fault drawn, a capture per drawn connection, on its client port (those that cannot
     * start are left out: the run goes on). None under the others: with the link down, say, the probes never leave the host.
     */
    static List<Capture> start(Trial trial, Message ready, Fault fault) {
        List<Capture> captures = new ArrayList<>();
        if (!FAULTS.contains(fault)) {
            return captures;
        }
        for (Mechanism m : DRAWN) {
            long port = ready.number(capture(m) + "_port");
            captures.add(trial.capture(trial.lab().client(), capture(m), "tcp port " + port + " and tcp port " + DeadPeerExperiment.PORT, PACKETS));
        }
        return captures.stream().filter(Objects::nonNull).toList();
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r, Mechanism m) {
        return data.capture(r, capture(m), DeadPeerExperiment.PORT);
    }

    /** For a mechanism's claim: " Ladder: no capture: why." when its connection was to be drawn and was not captured, else "". */
    static String captureNote(ExperimentData data, RunData.Result r, Mechanism m) {
        return DRAWN.contains(m) && FAULTS.contains(data.params(r).choice("fault", Fault.class)) ? connection(data, r, m).claimNote() : "";
    }

    /** Report side: a figure for the first configuration of each fault drawn. */
    static List<Plots.Drawn> draw(ExperimentData data) throws IOException {
        List<Plots.Drawn> drawn = new ArrayList<>();
        for (Fault fault : FAULTS) {
            for (RunData.Result r : data.trials()) {
                Params p = data.params(r);
                List<DetectionRow> rows = DetectionRow.TABLE.read(data, r);
                if (r.ok() && !rows.isEmpty() && p.choice("fault", Fault.class) == fault) {
                    drawn.add(draw(data, r, p, fault, rows));
                    break;
                }
            }
        }
        return drawn;
    }

    private static Plots.Drawn draw(ExperimentData data, RunData.Result r, Params p, Fault fault, List<DetectionRow> rows) throws IOException {
        int window = p.integer("window");
        List<Ladder.Panel> panels = new ArrayList<>();
        for (Mechanism m : DRAWN) {
            DetectionRow row = rows.stream().filter(d -> d.mechanism() == m).findFirst().orElse(null);
            Packets.Connection c = connection(data, r, m);
            String heading = m == Mechanism.HEARTBEAT ? String.format(Locale.ROOT, "heartbeat: PING every %d ms, deadline %d ms",
                    p.integer("heartbeat"), p.integer("deadline")) : Claims.label(m, p, r.sysctls());
            if (row == null || !c.captured() || c.packets().isEmpty()) {
                panels.add(new Ladder.Panel(heading, c, List.of()));
                continue;
            }
            Packets.Connection since = sinceFault(c, row.faultMs(), window);
            List<Ladder.Event> events = new ArrayList<>();
            events.add(new Ladder.Event(0, false, "fault: " + faultText(fault)));
            events.add(row.noticed() ? new Ladder.Event(row.noticedAfter(), true, "noticed: " + row.how())
                    : new Ladder.Event(window, true, "not noticed within the " + window + " s watch"));
            boolean dropped = fault == Fault.DROP || fault == Fault.LINK_DOWN;
            panels.add(new Ladder.Panel(heading, since, tags(since, m)).events(events).lost(s -> dropped && s.fromClient() && s.seconds() >= 0));
        }
        String name = "dead-peer-" + fault.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-ladder";
        String title = fault == Fault.STOP ? "Why does keepalive miss a stopped peer that a heartbeat catches?"
                : "What do keepalive and a heartbeat send to a peer whose host drops everything?";
        String note = "Two of the client's idle connections to one server, captured by tcpdump in the client host until the watch"
                + " ended; times since the fault. A keepalive probe is an ACK one byte behind what the peer acknowledged (seq 0 here),"
                + " with no data; its answer an ACK. The fault: the run side's record; when each noticed: the client's own."
                + (fault == Fault.DROP ? " After the fault the server host drops every packet (×)."
                : fault == Fault.STOP ? " The stopped process's kernel still acknowledges the probes and the PING; only the process could"
                + " send the PONG." : "");
        data.charts().save(new Ladder(title, panels, note), name);
        return new Plots.Drawn(name, title, "The tuned keepalive's probes beside the heartbeat's PINGs and PONGs, " + faultText(fault)
                + " (" + r.label() + ").");
    }

    private static String faultText(Fault fault) {
        return switch (fault) {
            case DROP -> "the server host drops every packet";
            case LINK_DOWN -> "the server's link goes down";
            case STOP -> "the server process is stopped (SIGSTOP)";
            case KILL -> "the server process is killed";
        };
    }

    /**
     * The connection with its times since the fault (both panels then share one clock), up to the end
     * of the watch: what the client sends when it closes its sockets afterwards is no part of it.
     */
    static Packets.Connection sinceFault(Packets.Connection c, long faultMs, int window) {
        double shift = c.secondsTo(faultMs);
        List<Packets.Packet> packets = c.packets().stream().filter(s -> s.seconds() - shift <= window)
                .map(s -> new Packets.Packet(s.seconds() - shift, s.fromClient(), s.flags(), s.seq(), s.ack(), s.length())).toList();
        return new Packets.Connection(c.client(), c.server(), packets, faultMs * 1000, null);
    }

    /** What each segment is for, beside its sender's column: a keepalive probe and its answer, a PING (again: a retransmission), a PONG, the reset of a side that gives up. */
    static List<Ladder.State> tags(Packets.Connection c, Mechanism m) {
        List<Ladder.State> tags = new ArrayList<>();
        List<Packets.Packet> packets = c.packets();
        for (int i = 0; i < packets.size(); i++) {
            Packets.Packet s = packets.get(i);
            String tag = s.flags().contains(Packets.Flag.RST) ? "gives up" : m == Mechanism.HEARTBEAT ? heartbeatTag(packets, i)
                    : s.fromClient() && s.length() == 0 && s.flags().equals(EnumSet.of(Packets.Flag.ACK)) ? "probe"
                    : !s.fromClient() && i > 0 && packets.get(i - 1).fromClient() ? "answer" : null;
            if (tag != null) {
                tags.add(new Ladder.State(i, s.fromClient(), tag));
            }
        }
        return tags;
    }

    private static String heartbeatTag(List<Packets.Packet> packets, int i) {
        Packets.Packet s = packets.get(i);
        if (s.length() == 0) {
            return !s.fromClient() && s.flags().equals(EnumSet.of(Packets.Flag.ACK)) && i > 0 && packets.get(i - 1).length() > 0
                    && packets.get(i - 1).fromClient() ? "ACK, no PONG" : null;
        }
        if (!s.fromClient()) {
            return "PONG";
        }
        boolean again = packets.subList(0, i).stream().anyMatch(e -> e.fromClient() && e.length() > 0 && e.seq() == s.seq());
        return again ? "PING again" : "PING";
    }
}
