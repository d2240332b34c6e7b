package tcplab.experiment.timewait.portexhaustion;

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
import tcplab.socket.CloseMode;

/**
 * C1's ladder: the first connection of a FIN-close and of an RST-close configuration, packet by
 * packet, captured in the client host ({@code raw/ID.close.pcap}). The client makes its first
 * connection from the lowest port of its range, bound explicitly, and the capture keeps that port's
 * segments only: one connection, whatever the thousands after it do. It counts like any other; an
 * explicitly bound port is one connect() does not reuse from TIME_WAIT (inet_hash_connect skips
 * bound buckets), so with tcp_tw_reuse the run reuses N - 1 ports, not N.
 */
final class Ladders {
    static final String CAPTURE = "close";
    /** The agent's parameter: the local port of its first connection. */
    static final String PORT = "ladderPort";
    private static final int PACKETS = 10;

    private Ladders() {
    }

    /** The local port of the first connection: the lowest of the client's range. */
    static int port(Trial trial) {
        String range = trial.settings().getOrDefault("net.ipv4.ip_local_port_range", "32768 60999");
        return Integer.parseInt(range.trim().split("\\s+")[0]);
    }

    /** Run side: starts capturing that port's segments (null when it cannot: the run goes on). */
    static Capture start(Trial trial, int port) {
        return trial.capture(trial.lab().client(), CAPTURE, "tcp port " + ServerProcess.PORT + " and port " + port, PACKETS);
    }

    static Packets.Connection connection(ExperimentData data, RunData.Result r) {
        return data.capture(r, CAPTURE, ServerProcess.PORT);
    }

    /** For a claim's explanation: "" when the configuration's first connection was captured, else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r) {
        return connection(data, r).claimNote();
    }

    /** Report side: a FIN close beside an RST close, each the first configuration of its mode; null when the run has neither. */
    static Plots.Drawn draw(ExperimentData data) throws IOException {
        List<Ladder.Panel> panels = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (CloseMode mode : List.of(CloseMode.CLIENT_FIN, CloseMode.CLIENT_RST)) {
            RunData.Result shown = data.trials().stream().filter(r -> r.ok() && data.params(r).choice("closeMode", CloseMode.class) == mode)
                    .filter(r -> connection(data, r).captured()).findFirst()
                    .orElse(data.trials().stream().filter(r -> r.ok() && data.params(r).choice("closeMode", CloseMode.class) == mode)
                            .findFirst().orElse(null));
            if (shown == null) {
                continue;
            }
            labels.add(shown.label());
            panels.add(new Ladder.Panel(mode == CloseMode.CLIENT_FIN ? "FIN close" : "RST close (SO_LINGER 0)", connection(data, shown), List.of()));
        }
        if (panels.isEmpty()) {
            return null;
        }
        String title = "What does a FIN close send, and an RST close?";
        String note = "The first connection of each configuration, captured by tcpdump in the client host; times since its SYN, seq and ack"
                + " relative to each side's first segment. This experiment does not sample the states of single sockets: the TIME_WAIT"
                + " counts are in the figure port-exhaustion-time-wait.";
        data.charts().save(new Ladder(title, panels, note), "port-exhaustion-ladder");
        return new Plots.Drawn("port-exhaustion-ladder", title, "One connection closed each way, packet by packet as the kernel sent it ("
                + String.join("; ", labels) + ").");
    }
}
