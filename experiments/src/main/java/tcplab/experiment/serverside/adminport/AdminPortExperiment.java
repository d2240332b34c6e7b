package tcplab.experiment.serverside.adminport;

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
import tcplab.experiment.serverside.adminport.EventRow.Event;
import tcplab.lab.ServerProcess;

/**
 * C9: a management port on its own thread keeps answering when the business threads are stuck; a
 * shared port does not.
 *
 * <p>The server has a bounded pool of business threads (and a bounded queue in front of it) and
 * stops accepting when both are full, as thread-per-request servers do; its business handler waits
 * on a downstream that hangs. Management requests ({@code HEALTH}) are answered either on the same
 * port by the same pool ({@code SHARED}) or on a port of their own by a thread of their own
 * ({@code SEPARATE}). A client probes the management port every 200 ms with a deadline, through
 * three phases: calm, business traffic with the downstream stuck, and the downstream recovered.
 * The server ({@link ServerAgent}) samples its pool, the accept queues of its listeners and the
 * ListenOverflows and ListenDrops counters; the client ({@link ClientAgent}) logs every request.
 * {@link Claims} sorts the probes into phases ({@link Timeline}) and compares them with the model.
 *
 * <p>The model: once workers + queue business requests are in, the shared port's new connections
 * wait in the kernel's accept queue, which holds backlog + 1 (sk_acceptq_is_full), and past that
 * their SYNs are dropped (ListenOverflows): management requests on it connect but get no answer, then
 * do not connect at all, until the downstream recovers. The separate port is never behind the
 * pool, so it keeps answering.
 */
public final class AdminPortExperiment extends Experiment {
    static final String NAME = "admin-port";
    static final int BUSINESS_PORT = ServerProcess.PORT;
    static final int ADMIN_PORT = ServerProcess.PORT + 1;
    static final long PROBE_EVERY_MILLIS = 200;

    /** Where management requests are answered. */
    enum Mode { SHARED, SEPARATE }

    @Override
    public String oneMachineOnly() {
        return null; // across two machines too: what it needs of the server goes over ssh, and it follows only its own sockets
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // whether probes answer within a 1 s deadline, against a stuck pool
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "A management port on its own threads, or on the business port";
    }

    @Override
    public List<String> claims() {
        return List.of("C9");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("mode", "SHARED: management on the business port and pool; SEPARATE: its own port and thread",
                        "SHARED", "SEPARATE"),
                Parameter.integer("workers", 4, 1, 256, "business threads"),
                Parameter.integer("queue", 8, 0, 10_000, "requests that may wait for a business thread"),
                Parameter.integer("backlog", 8, 1, 4096, "listen() backlog of both ports"),
                Parameter.integer("rate", 20, 1, 1000, "business requests per second while the downstream is stuck"),
                Parameter.integer("deadline", 1000, 50, 30_000, "milliseconds a management request may take"),
                Parameter.integer("calm", 2, 1, 600, "seconds of probing before the business traffic"),
                Parameter.integer("stuck", 6, 1, 600, "seconds of business traffic with the downstream stuck"),
                Parameter.integer("recover", 2, 1, 600, "seconds of probing after the downstream recovers"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofMillis((params.integer("calm") + params.integer("stuck") + params.integer("recover")) * 1000L + 500); // + two agent JVMs
    }

    @Override
    public void run(Trial trial) throws Exception {
        Params p = trial.params();
        try (var events = EventRow.TABLE.open(trial)) {
            AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()));
            server.await(Protocol.LISTENING, Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await(Protocol.PROBING, Duration.ofSeconds(30));
            events.add(new EventRow(Event.CALM, System.currentTimeMillis()));
            trial.sleep(Duration.ofSeconds(p.integer("calm")));
            client.send(Protocol.LOAD_START);
            events.add(new EventRow(Event.STUCK, System.currentTimeMillis()));
            trial.say("business traffic starts; the downstream is stuck");
            trial.sleep(Duration.ofSeconds(p.integer("stuck")));
            server.send(Protocol.RELEASE);
            client.send(Protocol.LOAD_STOP);
            events.add(new EventRow(Event.RECOVERED, System.currentTimeMillis()));
            trial.say("the downstream recovers");
            trial.sleep(Duration.ofSeconds(p.integer("recover")));
            events.add(new EventRow(Event.END, System.currentTimeMillis()));
            client.send(Protocol.EXIT);
            server.send(Protocol.EXIT);
            client.waitFor(Duration.ofSeconds(15));
            server.waitFor(Duration.ofSeconds(15));
        }
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
