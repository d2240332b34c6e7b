package tcplab.experiment.timewait.simultaneousclose;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Side;
import tcplab.kernel.TcpSockets;

/**
 * C6: who keeps TIME_WAIT. The side that closes first keeps it; when both close at once, both do.
 *
 * <p>A client agent and a server agent ({@link CloseAgent}) hold connections on three server ports,
 * one per order of closing: client first, server first, and both at once. For "at once" the veth
 * link is taken down on both ends, both sides close (each FIN waits in its send queue: there is no
 * route), and the link comes back: the FINs cross, each side receives the other's FIN in FIN_WAIT_1,
 * goes to CLOSING and then to TIME_WAIT. The lab then counts each side's sockets by state
 * ({@link StateRow}); {@link Claims} compares the counts with the model.
 *
 * <p>The model (RFC 793's state machine as Linux implements it): the active closer ends in
 * TIME_WAIT, the passive closer goes through LAST_ACK to CLOSED; a simultaneous close puts both
 * sides through CLOSING into TIME_WAIT.
 */
public final class SimultaneousCloseExperiment extends Experiment {

    @Override
    public String oneMachineOnly() {
        return "it takes the link between the hosts down, which between two real machines would be the ssh link too";
    }

    @Override
    public Pace pace() {
        return Pace.CPU; // the two closes must cross on the wire: a neighbour's CPU would pull them apart
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
    public Map<String, String> commands() {
        return tcplab.lab.Capture.NEEDS; // the ladders' packets
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofSeconds(2); // two agent JVMs and a few 300 ms pauses
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()));
        server.await(Protocol.LISTENING, Duration.ofSeconds(30));
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
        client.await(Protocol.CONNECTED, Duration.ofSeconds(30));
        server.await(Protocol.ACCEPTED, Duration.ofSeconds(30));
        tcplab.lab.Capture capture = Ladders.start(trial); // one connection of each order, for the ladders

        close(client, Order.CLIENT_FIRST);
        trial.sleep(Duration.ofMillis(300));
        close(server, Order.CLIENT_FIRST);

        close(server, Order.SERVER_FIRST);
        trial.sleep(Duration.ofMillis(300));
        close(client, Order.SERVER_FIRST);

        trial.lab().setLink(false); // no segment crosses: both FINs are sent before either arrives
        client.send(Protocol.CLOSE, "order", Order.SIMULTANEOUS);
        server.send(Protocol.CLOSE, "order", Order.SIMULTANEOUS);
        client.await(Protocol.CLOSED, Duration.ofSeconds(10));
        server.await(Protocol.CLOSED, Duration.ofSeconds(10));
        trial.sleep(Duration.ofMillis(100));
        trial.lab().setLink(true);
        trial.say("link back up: the FINs both sides queued while it was down cross");

        long settle = System.currentTimeMillis() + 10_000;
        while (busy(trial) && System.currentTimeMillis() < settle && trial.sleep(Duration.ofMillis(100))) {
            // wait for the crossing FINs and their ACKs
        }
        if (capture != null) {
            capture.close();
        }
        try (var rows = StateRow.TABLE.open(trial)) {
            for (Order order : Order.values()) {
                for (Side side : Side.values()) {
                    for (Map.Entry<String, Long> state : count(trial, order, side).entrySet()) {
                        rows.add(new StateRow(order, side, state.getKey(), state.getValue()));
                    }
                }
            }
        }
        client.send(Protocol.EXIT);
        server.send(Protocol.EXIT);
        client.waitFor(Duration.ofSeconds(10));
        server.waitFor(Duration.ofSeconds(10));
    }

    private static void close(AgentProcess side, Order order) throws Exception {
        side.send(Protocol.CLOSE, "order", order);
        side.await(Protocol.CLOSED, Duration.ofSeconds(10));
    }

    /** Whether a socket of any order is still between states (its FIN or the ACK of it not yet through). */
    private static boolean busy(Trial trial) throws IOException {
        for (Order order : Order.values()) {
            for (Side side : Side.values()) {
                Map<String, Long> states = count(trial, order, side);
                if (states.containsKey("FIN_WAIT1") || states.containsKey("CLOSING") || states.containsKey("LAST_ACK")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Sockets of one order's connections on one side, by state (listeners left out). */
    private static Map<String, Long> count(Trial trial, Order order, Side side) throws IOException {
        int port = order.port();
        return side == Side.CLIENT
                ? TcpSockets.countByState(trial.lab().client().procNet(), s -> s.remotePort() == port)
                : TcpSockets.countByState(trial.lab().server().procNet(), s -> s.localPort() == port && !s.state().equals("LISTEN"));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        new CloseAgent(agent).run();
    }

    @Override
    public List<Claim> claims(ExperimentData data) throws IOException {
        return Claims.of(data);
    }

    @Override
    public Section report(ExperimentData data, List<Claim> claims) throws IOException {
        return Report.section(this, data, claims);
    }
}
