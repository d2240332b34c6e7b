package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.Message;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.lab.Capture;
import tcplab.lab.Firewall;
import tcplab.lab.Processes;
import tcplab.lab.ServerProcess;

/**
 * C11: TCP keepalive finds a peer whose host vanished, late with the kernel's defaults; it never
 * finds a peer process that hangs (its kernel still answers); an application heartbeat finds both.
 *
 * <p>A client holds four idle connections to a server, one per mechanism: none (the client just
 * waits in read()), keepalive with the kernel's settings, keepalive tuned per socket
 * (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), and an application heartbeat (a PING every so often,
 * the PONG expected within a deadline). Then the server fails one way: its host drops every packet
 * (nf_tables), its link goes down, its process is stopped (SIGSTOP) or killed (SIGKILL). The client
 * ({@link ClientAgent}, against a {@link ServerAgent} that answers PINGs) records when each mechanism
 * noticed, within a bounded window ({@link DetectionRow}); {@link Claims} compares that with the model.
 *
 * <p>The model: keepalive declares the connection dead {@link tcplab.kernel.TcpModel#keepaliveDetectionSeconds}
 * after its last activity: idle time + probes × interval (7200 + 9 × 75 s = 2 h 11 min by
 * default). A stopped process's kernel still acknowledges the probes, so keepalive never fires; a
 * killed process's kernel closes the connection at once, so every mechanism sees it. A heartbeat
 * notices a missing PONG within its interval plus its deadline, whatever the fault.
 */
public final class DeadPeerExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;

    /** How the server fails. */
    public enum Fault { DROP, LINK_DOWN, STOP, KILL }

    @Override
    public Map<String, String> commands() {
        Map<String, String> needs = new java.util.LinkedHashMap<>(Firewall.NEEDS); // the fault: the server host drops packets
        needs.putAll(tcplab.lab.Capture.NEEDS); // the ladder's probes and PINGs
        return needs;
    }

    @Override
    public String oneMachineOnly() {
        return "its faults drop every packet of the server or take its link down, which between two real machines would cut the ssh link too";
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // when keepalive or a heartbeat notices the dead peer
    }

    @Override
    public String name() {
        return "dead-peer";
    }

    @Override
    public String title() {
        return "Dead and hung peers: keepalive against an application heartbeat";
    }

    @Override
    public List<String> claims() {
        return List.of("C11");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("fault", "DROP: the server host drops every packet; LINK_DOWN: its link goes down; STOP: its process is"
                        + " stopped (SIGSTOP); KILL: its process is killed", "DROP", "LINK_DOWN", "STOP", "KILL"),
                Parameter.integer("keepIdle", 1, 1, 7200, "TCP_KEEPIDLE of the tuned socket, seconds"),
                Parameter.integer("keepInterval", 1, 1, 600, "TCP_KEEPINTVL of the tuned socket, seconds"),
                Parameter.integer("keepCount", 2, 1, 127, "TCP_KEEPCNT of the tuned socket"),
                Parameter.integer("heartbeat", 500, 50, 600_000, "milliseconds between the heartbeat's PINGs"),
                Parameter.integer("deadline", 1000, 50, 600_000, "milliseconds the heartbeat waits for a PONG"),
                Parameter.integer("window", 8, 1, 10_800, "seconds after the fault the client keeps watching (8100 see the default keepalive, 7200 + 9 x 75 s, to its end)"));
    }

    @Override
    public Duration expected(Params params) {
        // + two agent JVMs; a killed peer is noticed at once, the other faults take the whole window
        return params.get("fault").equals("KILL") ? Duration.ofMillis(1800) : Duration.ofMillis(params.integer("window") * 1000L + 200);
    }

    @Override
    public void run(Trial trial) throws Exception {
        Fault fault = trial.params().choice("fault", Fault.class);
        try (var events = EventRow.TABLE.open(trial)) {
            AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
            server.await(Protocol.LISTENING, Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            Message ready = client.await(Protocol.READY, Duration.ofSeconds(30));
            long readyAt = System.currentTimeMillis();
            List<Capture> captures = Ladders.start(trial, ready, fault); // within the idle time before the fault, if tcpdump starts quickly
            trial.sleep(Duration.ofMillis(Math.max(0, readyAt + 300 - System.currentTimeMillis())));
            long at = System.currentTimeMillis();
            switch (fault) {
                case DROP -> {
                    Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "");
                    Firewall.drop(trial.serverHost(), Firewall.Hook.OUTPUT, "");
                }
                case LINK_DOWN -> trial.lab().setServerLink(false);
                case STOP -> Processes.run(List.of("kill", "-STOP", Long.toString(server.pid())), null, Duration.ofSeconds(5));
                case KILL -> server.close();
            }
            events.add(new EventRow("fault", at));
            trial.say("fault: " + fault + "; watching for " + trial.params().integer("window") + " s");
            client.send(Protocol.FAULT, "at_ms", at);
            trial.say("client: " + client.await("done", Duration.ofSeconds(trial.params().integer("window") + 30L)));
            captures.forEach(Capture::close); // the watch is over: what the client's close sends is no part of it
            client.waitFor(Duration.ofSeconds(10));
            if (fault == Fault.DROP) {
                events.add(new EventRow("dropped " + Firewall.dropped(trial.serverHost()), System.currentTimeMillis()));
            }
            if (fault == Fault.DROP || fault == Fault.LINK_DOWN) { // a stopped or killed server cannot read it
                server.send(Protocol.EXIT);
                server.waitFor(Duration.ofSeconds(10));
            }
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
