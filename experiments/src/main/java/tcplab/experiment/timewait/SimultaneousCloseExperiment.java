package tcplab.experiment.timewait;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * C6: who keeps TIME_WAIT. The side that closes first keeps it; when both close at once, both do.
 *
 * <p>A client agent and a server agent hold connections on three server ports, one per order of
 * closing: client first, server first, and both at once. For "at once" the veth link is taken down
 * on both ends, both sides close (each FIN waits in its send queue: there is no route), and the link
 * comes back: the FINs cross, each side receives the other's FIN in FIN_WAIT_1, goes to CLOSING and
 * then to TIME_WAIT. The lab then counts each side's sockets by state.
 *
 * <p>The model (RFC 793's state machine as Linux implements it): the active closer ends in
 * TIME_WAIT, the passive closer goes through LAST_ACK to CLOSED; a simultaneous close puts both
 * sides through CLOSING into TIME_WAIT.
 */
public final class SimultaneousCloseExperiment extends Experiment {
    static final Map<String, Integer> ORDERS = orders();
    private static final String[] COLUMNS = {"order", "side", "state", "sockets"};

    private static Map<String, Integer> orders() {
        Map<String, Integer> orders = new LinkedHashMap<>();
        orders.put("client-first", ServerProcess.PORT);
        orders.put("server-first", ServerProcess.PORT + 1);
        orders.put("simultaneous", ServerProcess.PORT + 2);
        return orders;
    }

    @Override
    public String name() {
        return "simultaneous-close";
    }

    @Override
    public String title() {
        return "Who keeps TIME_WAIT: client first, server first, both at once";
    }

    @Override
    public List<String> claims() {
        return List.of("C6");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(Parameter.integer("pairs", 10, 1, 500, "connections closed in each order"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofSeconds(2); // two agent JVMs and a few 300 ms pauses
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()));
        server.await("listening", Duration.ofSeconds(30));
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
        client.await("connected", Duration.ofSeconds(30));
        server.await("accepted", Duration.ofSeconds(30));

        close(client, ORDERS.get("client-first"));
        trial.sleep(Duration.ofMillis(300));
        close(server, ORDERS.get("client-first"));

        close(server, ORDERS.get("server-first"));
        trial.sleep(Duration.ofMillis(300));
        close(client, ORDERS.get("server-first"));

        int port = ORDERS.get("simultaneous");
        trial.lab().setLink(false); // no segment crosses: both FINs are sent before either arrives
        client.send("close " + port);
        server.send("close " + port);
        client.await("closed " + port, Duration.ofSeconds(10));
        server.await("closed " + port, Duration.ofSeconds(10));
        trial.sleep(Duration.ofMillis(100));
        trial.lab().setLink(true);
        trial.say("link back up: the FINs both sides queued while it was down cross");

        long settle = System.currentTimeMillis() + 10_000;
        while (busy(trial) && System.currentTimeMillis() < settle && trial.sleep(Duration.ofMillis(100))) {
            // wait for the crossing FINs and their ACKs
        }
        try (RunFolder.CsvLog rows = trial.rows("states", COLUMNS)) {
            for (Map.Entry<String, Integer> order : ORDERS.entrySet()) {
                count(trial, order.getValue(), true).forEach((state, n) -> row(rows, order.getKey(), "client", state, n));
                count(trial, order.getValue(), false).forEach((state, n) -> row(rows, order.getKey(), "server", state, n));
            }
        }
        client.send("exit");
        server.send("exit");
        client.waitFor(Duration.ofSeconds(10));
        server.waitFor(Duration.ofSeconds(10));
    }

    private static void close(AgentProcess side, int port) throws Exception {
        side.send("close " + port);
        side.await("closed " + port, Duration.ofSeconds(10));
    }

    private static void row(RunFolder.CsvLog rows, String order, String side, String state, long n) {
        try {
            rows.row(order, side, state, n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether a socket of any order is still between states (its FIN or the ACK of it not yet through). */
    private static boolean busy(Trial trial) throws IOException {
        for (Integer port : ORDERS.values()) {
            for (boolean clientSide : new boolean[] {true, false}) {
                Map<String, Long> states = count(trial, port, clientSide);
                if (states.containsKey("FIN_WAIT1") || states.containsKey("CLOSING") || states.containsKey("LAST_ACK")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Sockets of one order's connections on one side, by state (listeners left out). */
    private static Map<String, Long> count(Trial trial, int port, boolean clientSide) throws IOException {
        return TcpSockets.countByState((clientSide ? trial.lab().client() : trial.lab().server()).procNet(),
                s -> clientSide ? s.remotePort() == port : s.localPort() == port && !s.state().equals("LISTEN"));
    }

    /** Either side: hold connections on each port, close one port's on command. */
    @Override
    public void agent(Agent agent) throws Exception {
        int pairs = agent.params().integer("pairs");
        Map<Integer, List<SocketChannel>> held = new TreeMap<>();
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try {
            if (agent.role().equals("server")) {
                for (int port : ORDERS.values()) {
                    InetSocketAddress address = new InetSocketAddress(agent.params().get("bind"), port);
                    ServerSocketChannel listener = ServerSocketChannel.open(Target.familyOf(address));
                    listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    listener.bind(address, pairs + 16);
                    listeners.add(listener);
                }
                agent.signal("listening");
                for (ServerSocketChannel listener : listeners) {
                    List<SocketChannel> accepted = new ArrayList<>();
                    for (int i = 0; i < pairs; i++) {
                        accepted.add(listener.accept());
                    }
                    held.put(((InetSocketAddress) listener.getLocalAddress()).getPort(), accepted);
                }
                agent.signal("accepted");
            } else {
                for (int port : ORDERS.values()) {
                    Client client = new Client(Target.parse(agent.params().get("host") + ":" + port), false, -1, 5000);
                    List<SocketChannel> connected = new ArrayList<>();
                    for (int i = 0; i < pairs; i++) {
                        connected.add(client.open());
                    }
                    held.put(port, connected);
                }
                agent.signal("connected");
            }
            while (!agent.expired()) {
                String command = agent.await("", Duration.ofSeconds(1));
                if (command == null) {
                    continue;
                }
                if (command.equals("exit")) {
                    break;
                }
                if (command.startsWith("close ")) {
                    int port = Integer.parseInt(command.substring(6).trim());
                    for (SocketChannel channel : held.getOrDefault(port, List.of())) {
                        channel.close();
                    }
                    agent.signal("closed " + port);
                }
            }
        } finally {
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        StringBuilder table = new StringBuilder("| configuration | order | client side | server side |\n|---|---|---|---|\n");
        for (RunData.Result r : data.trials()) {
            List<Map<String, String>> rows = data.rows(r, "states");
            if (!r.ok() || rows.isEmpty()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | |\n");
                continue;
            }
            int pairs = data.params(r).integer("pairs");
            for (String order : ORDERS.keySet()) {
                Map<String, Map<String, Long>> sides = new TreeMap<>();
                for (Map<String, String> row : rows) {
                    if (row.get("order").equals(order)) {
                        sides.computeIfAbsent(row.get("side"), s -> new TreeMap<>()).put(row.get("state"), Long.parseLong(row.get("sockets")));
                    }
                }
                table.append("| ").append(r.label()).append(" | ").append(order).append(" | ").append(TcpSockets.describe(sides.get("client")))
                        .append(" | ").append(TcpSockets.describe(sides.get("server"))).append(" |\n");
                for (String side : List.of("client", "server")) {
                    boolean keeps = order.equals("simultaneous") || order.startsWith(side);
                    long expected = keeps ? pairs : 0;
                    long measured = sides.getOrDefault(side, Map.of()).getOrDefault("TIME_WAIT", 0L);
                    String why = order.equals("simultaneous")
                            ? "Both sides closed while the link was down, so each sent its FIN before receiving the other's: each went"
                                    + " FIN_WAIT_1 → CLOSING → TIME_WAIT."
                            : keeps ? "The " + side + " closed first (the active close): it ends in TIME_WAIT."
                                    : "The " + side + " closed second (the passive close): LAST_ACK, then CLOSED, no TIME_WAIT.";
                    claims.add(Claim.check("C6", name(), data.where(r).and("order=" + order).and("side=" + side),
                            Claim.Metric.of("time_wait_sockets_" + side, "connections in TIME_WAIT on the " + side, "sockets"),
                            Long.toString(expected), Long.toString(measured), expected == measured, why));
                }
            }
        }
        String md = "A client and a server hold connections and close them in three orders. To close both at once, the lab takes the"
                + " veth link down, both sides close, and the link comes back so the two FINs cross. The model: the side that closes"
                + " first keeps TIME_WAIT; when both close at once, both do.\n\n" + table + "\n";
        return new Section(name(), title(), md, claims);
    }
}
