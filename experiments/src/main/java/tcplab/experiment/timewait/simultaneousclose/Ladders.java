package tcplab.experiment.timewait.simultaneousclose;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcplab.chart.Ladder;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.RawTable;
import tcplab.experiment.Trial;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Side;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Capture;
import tcplab.results.Packets;
import tcplab.results.RunData;

/**
 * C6's ladders: one connection of each order, captured in the client host from the moment every
 * connection is open ({@code raw/ID.close.pcap}), drawn beside the states the socket tables showed
 * then ({@code raw/ID.pictured.csv}) and once all settled ({@code raw/ID.states.csv}).
 */
final class Ladders {
    static final String CAPTURE = "close";
    /** Segments the three closes send, with room for the retransmitted FINs of the simultaneous one. */
    private static final int PACKETS = 60;

    /** {@code raw/ID.pictured.csv}: the connection pictured for an order, and its states when the capture started. */
    record PicturedRow(Order order, int clientPort, String clientState, String serverState) {
        static final RawTable<PicturedRow> TABLE = RawTable.of("pictured", PicturedRow.class);
    }

    private Ladders() {
    }

    /** Run side: picks the lowest client port of each order and captures those three connections only. */
    static Capture start(Trial trial) throws IOException {
        List<TcpSockets.Socket> client = TcpSockets.read(trial.lab().client().procNet());
        List<TcpSockets.Socket> server = TcpSockets.read(trial.lab().server().procNet());
        List<String> filters = new ArrayList<>();
        try (var rows = PicturedRow.TABLE.open(trial)) {
            for (Order order : Order.values()) {
                TcpSockets.Socket pictured = client.stream().filter(s -> s.remotePort() == order.port())
                        .min(java.util.Comparator.comparingInt(TcpSockets.Socket::localPort)).orElse(null);
                if (pictured == null) {
                    continue;
                }
                String serverState = server.stream().filter(s -> s.localPort() == order.port() && s.remotePort() == pictured.localPort())
                        .map(TcpSockets.Socket::state).findFirst().orElse("no socket");
                rows.add(new PicturedRow(order, pictured.localPort(), pictured.state(), serverState));
                filters.add("(port " + order.port() + " and port " + pictured.localPort() + ")");
            }
        }
        return filters.isEmpty() ? null : trial.capture(trial.lab().client(), CAPTURE, "tcp and (" + String.join(" or ", filters) + ")", PACKETS);
    }

    /** The order's connection as captured, or why there is none. */
    static Packets.Connection connection(ExperimentData data, RunData.Result r, Order order) throws IOException {
        List<PicturedRow> pictured = PicturedRow.TABLE.read(data, r);
        if (pictured.isEmpty()) { // a run recorded before the ladders
            return Packets.Connection.notTaken("no capture: this run recorded no pictured connection (raw/" + r.id() + ".pictured.csv)");
        }
        if (pictured.stream().noneMatch(p -> p.order() == order)) {
            return Packets.Connection.missing("no capture: no connection of this order was open when the capture started");
        }
        return data.capture(r, CAPTURE, order.port());
    }

    /** Report side: the three ladders of one configuration, saved as {@code simultaneous-close-ladder-N}. */
    static Plots.Drawn draw(ExperimentData data, RunData.Result r, List<StateRow> rows, int index) throws IOException {
        List<PicturedRow> pictured = PicturedRow.TABLE.read(data, r);
        List<Ladder.Panel> panels = new ArrayList<>();
        for (Order order : Order.values()) {
            List<Ladder.State> states = new ArrayList<>();
            pictured.stream().filter(p -> p.order() == order).findFirst().ifPresent(p -> {
                states.add(Ladder.State.before(true, p.clientState()));
                states.add(Ladder.State.before(false, p.serverState()));
            });
            states.add(Ladder.State.after(true, settled(rows, order, Side.CLIENT)));
            states.add(Ladder.State.after(false, settled(rows, order, Side.SERVER)));
            Packets.Connection c = connection(data, r, order);
            panels.add(new Ladder.Panel(HEADINGS.get(order), c, states, fins(c)));
        }
        int pairs = data.params(r).integer("pairs");
        String title = "Who keeps TIME_WAIT when the client, the server or both close first?";
        String note = "Segments captured by tcpdump in the client host once every connection was open (so no handshake), one connection"
                + " per order; times since its first segment, at the client's veth; seq and ack relative to each side's first segment. States: from the socket tables when the capture"
                + " started (top) and once all settled (bottom, for all " + pairs + " connections of the order); not sampled in between.";
        String name = "simultaneous-close-ladder" + (index == 0 ? "" : "-" + (index + 1));
        data.charts().save(new Ladder(title, panels, note), name);
        return new Plots.Drawn(name, title, "One connection of each order, packet by packet as the kernel sent it (" + r.label() + ").");
    }

    /** Whether the two FINs crossed, as the capture shows it: the second FIN does not acknowledge the first. */
    static String fins(Packets.Connection c) {
        Packets.Packet first = c.packets().stream().filter(p -> p.flags().contains(Packets.Flag.FIN)).findFirst().orElse(null);
        if (first == null) {
            return "";
        }
        Packets.Packet second = c.packets().stream().filter(p -> p.flags().contains(Packets.Flag.FIN) && p.fromClient() != first.fromClient())
                .findFirst().orElse(null);
        String a = first.fromClient() ? "client" : "server";
        String b = first.fromClient() ? "server" : "client";
        if (second == null) {
            return "Only the " + a + " sent a FIN in the capture.";
        }
        return second.ack() > first.seq()
                ? "The " + b + "'s FIN acknowledges the " + a + "'s (ack " + second.ack() + "): it came after it."
                : "The FINs crossed: the " + b + "'s FIN acknowledges " + second.ack() + ", not the " + a + "'s FIN (seq " + first.seq()
                        + "): each was sent before the other arrived.";
    }

    private static final Map<Order, String> HEADINGS = Map.of(Order.CLIENT_FIRST, "client closes first", Order.SERVER_FIRST,
            "server closes first", Order.SIMULTANEOUS, "both close at once (link down)");

    /** "TIME_WAIT" when every connection of the order ended there; the counts otherwise. */
    private static String settled(List<StateRow> rows, Order order, Side side) {
        Map<String, Long> states = new TreeMap<>();
        rows.stream().filter(s -> s.order() == order && s.side() == side).forEach(s -> states.merge(s.state(), s.sockets(), Long::sum));
        if (states.isEmpty()) {
            return "no socket left";
        }
        return states.size() == 1 ? states.keySet().iterator().next() : TcpSockets.describe(states);
    }

    /** For a claim's explanation: "" when the order's ladder was captured, else " Ladder: no capture: why." */
    static String captureNote(ExperimentData data, RunData.Result r, Order order) throws IOException {
        return connection(data, r, order).claimNote();
    }
}
