package tcplab.experiment.timeouts.acceptoverflow;

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
import tcplab.lab.ServerProcess;

/**
 * C10: a listener whose accept queue is full makes clients wait whole SYN retransmission timeouts
 * with tcp_abort_on_overflow = 0, and resets them with 1.
 *
 * <p>A server with a small backlog accepts slowly (one connection every {@code acceptEvery} ms);
 * a burst of clients connects at once ({@link ServerAgent}, {@link ClientAgent}). The client records
 * each connect's latency and outcome ({@link ConnectRow}); the framework records the server host's
 * ListenOverflows and ListenDrops; {@link Claims} compares them with the model.
 *
 * <p>The model (tcp_conn_request and tcp_check_req, net/ipv4/): the accept queue holds backlog + 1
 * connections. A SYN that finds it full is dropped (ListenOverflows), whatever
 * tcp_abort_on_overflow says; its client connects only when a retransmitted SYN finds room, so each
 * connect takes one of the SYN schedule's send times (0, 1, 2, 3, ... s), never anything in between.
 * A SYN that found room but whose handshake completes when the queue has filled meanwhile is the
 * only case tcp_abort_on_overflow decides: with 0 the final ACK is dropped and the client, which
 * already considers itself connected, waits for the server's retransmissions; with 1 the server
 * answers with a reset at once. With SYN cookies on (tcp_syncookies = 1, the default), a small
 * backlog's SYN queue overflows into cookies, and a cookie's final ACK into a full accept queue is
 * dropped without a reset even with 1: the plans show both.
 */
public final class AcceptOverflowExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;

    @Override
    public String oneMachineOnly() {
        return null; // across two machines too: what it needs of the server goes over ssh, and it follows only its own sockets
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // when each connect completes: the SYN-ACK retransmission schedule
    }

    @Override
    public String name() {
        return "accept-overflow";
    }

    @Override
    public String title() {
        return "Accept queue overflow: dropped SYNs, or resets with tcp_abort_on_overflow";
    }

    @Override
    public List<String> claims() {
        return List.of("C10");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("backlog", 4, 1, 4096, "listen() backlog: the accept queue holds one more"),
                Parameter.integer("connections", 60, 2, 2000, "clients that connect at once"),
                Parameter.integer("acceptEvery", 200, 1, 60_000, "milliseconds between the server's accept() calls"),
                Parameter.integer("connectTimeout", 8000, 100, 600_000, "each client's connect timeout in ms"));
    }

    @Override
    public Duration expected(Params params) {
        long accepting = (long) params.integer("connections") * params.integer("acceptEvery");
        return Duration.ofMillis(Math.min(accepting, params.integer("connectTimeout")) + 1000); // + two agent JVMs
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
        server.await(Protocol.LISTENING, Duration.ofSeconds(30));
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
        server.send(Protocol.EXIT);
        server.waitFor(Duration.ofSeconds(10));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "server" -> new ServerAgent(agent).run();
            case "client" -> new ClientAgent(agent).run();
            default -> super.agent(agent);
        }
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
