package tcplab.experiment.serverside.closewaitleak;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.RawTable;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.experiment.serverside.closewaitleak.EventRow.Event;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;

/**
 * C13: a passive closer that never calls close() leaves CLOSE_WAIT sockets that never time out,
 * and the server fails while CPU and memory look normal.
 *
 * <p>The server answers one request per connection and then waits for the client to close. The
 * {@code LEAKY} handler then forgets the connection without closing it; the {@code CORRECT} one
 * closes it. The server runs with a small descriptor limit (prlimit, for that process alone) and
 * an accept loop that backs off 100 ms after an error, as production servers do. The lab samples
 * the server's sockets by state, its open descriptors, CPU time and resident memory from outside
 * the process (a process out of descriptors cannot read its own /proc/self/fd), and the client's
 * sockets. The phases:
 * <ol>
 *   <li>{@code LEAKY} only: a few requests, then a wait until the client's side of them (FIN_WAIT_2,
 *       orphaned) has timed out, then a new connection from one of their source ports while the
 *       server still holds that connection in CLOSE_WAIT: what the running kernel does is recorded
 *       with the TCPChallengeACK and reset counters;</li>
 *   <li>traffic at a fixed rate: the leaky server runs out of descriptors, accept() fails with
 *       "Too many open files", connections wait in the accept queue (clients connected but
 *       unanswered) and then are not accepted at all (connect times out);</li>
 *   <li>no traffic: CLOSE_WAIT has no timer, so the count stays;</li>
 *   <li>the server closes what it leaked: the sockets go, descriptors come back, requests are
 *       answered again.</li>
 * </ol>
 * The roles: {@link ServerAgent} and {@link ClientAgent}; the run side samples with {@link Sampler}.
 * The raw files ({@link EventRow}, {@link SampleRow}, {@link RequestRow}, {@link AcceptErrorRow},
 * {@link ReconnectRow}) are read back as a {@link Trace}; {@link Claims} compares it with the
 * model, {@link Report} draws it.
 */
public final class CloseWaitLeakExperiment extends Experiment {
    static final String NAME = "close-wait-leak";
    static final int PORT = ServerProcess.PORT;
    /** Requests before the leaky run's reconnect test, and once the server closed its leak. */
    static final int EARLY_REQUESTS = 5;
    static final int AFTER_REQUESTS = 5;
    static final long ACCEPT_BACKOFF_MILLIS = 100;
    static final int BACKLOG = 16;

    /** What the handler does when the client has closed. */
    enum Handler { LEAKY, CORRECT }

    @Override
    public Map<String, String> commands() {
        return Map.of("prlimit", "util-linux", "tcpdump", "tcpdump"); // the server's small descriptor limit; the reconnect's ladder
    }

    @Override
    public String oneMachineOnly() {
        return "it samples the server's socket table several times a second, which over ssh arrives late, and the sockets it leaks outlive the configuration on a real machine";
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // sockets left in CLOSE_WAIT and descriptors run out are counts
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "CLOSE_WAIT leak: a server that never closes";
    }

    @Override
    public List<String> claims() {
        return List.of("C13");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("handler", "LEAKY never closes after the client's FIN; CORRECT closes", "LEAKY", "CORRECT"),
                Parameter.integer("fdLimit", 128, 64, 65_536, "the server process's descriptor limit (RLIMIT_NOFILE)"),
                Parameter.integer("rate", 100, 1, 2000, "requests per second during the traffic phase"),
                Parameter.integer("traffic", 3, 1, 600, "seconds of traffic"),
                Parameter.integer("hold", 3, 1, 600, "seconds without traffic, watching CLOSE_WAIT stay"),
                Parameter.integer("deadline", 1000, 50, 30_000, "milliseconds a request may take"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        // the leaky run first waits for the client's FIN_WAIT_2 to time out (tcp_fin_timeout)
        long finTimeout = Long.parseLong(sysctls.getOrDefault("net.ipv4.tcp_fin_timeout", "60").trim());
        long early = params.get("handler").equals("LEAKY") ? finTimeout * 1000 + 500 : 0;
        return Duration.ofMillis(early + (params.integer("traffic") + params.integer("hold")) * 1000L + params.integer("deadline") + 2500);
    }

    @Override
    public void run(Trial trial) throws Exception {
        Params p = trial.params();
        Handler handler = p.choice("handler", Handler.class);
        int fdLimit = p.integer("fdLimit");
        try (var events = EventRow.TABLE.open(trial); var samples = SampleRow.TABLE.open(trial)) {
            AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()),
                    List.of("prlimit", "--nofile=" + fdLimit + ":" + fdLimit));
            server.await(Protocol.LISTENING, Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await(Protocol.READY, Duration.ofSeconds(30));
            Sampler sampler = new Sampler(trial, server.pid(), samples);
            mark(events, Event.START);
            sampler.sample();
            if (handler == Handler.LEAKY) {
                reconnect(trial, client, sampler, events);
            }
            mark(events, Event.TRAFFIC);
            client.send(Protocol.TRAFFIC);
            sampler.during(Duration.ofSeconds(p.integer("traffic")));
            sampler.during(Duration.ofMillis(p.integer("deadline") + 200L)); // the last requests end
            mark(events, Event.HOLD);
            trial.say("traffic over; watching the sockets for " + p.integer("hold") + " s");
            sampler.during(Duration.ofSeconds(p.integer("hold")));
            mark(events, Event.CLOSE);
            server.send(Protocol.CLOSE_LEAKED);
            Message closed = server.await(Protocol.CLOSED, Duration.ofSeconds(10));
            trial.say("server: " + closed.integer("connections") + " leaked connections; accept() had failed " + closed.integer("errors")
                    + " times");
            sampler.during(Duration.ofSeconds(1));
            mark(events, Event.AFTER);
            client.send(Protocol.AFTER);
            client.await(Protocol.AFTER_DONE, Duration.ofSeconds(30));
            sampler.sample();
            mark(events, Event.END);
            client.send(Protocol.EXIT);
            server.send(Protocol.EXIT);
            client.waitFor(Duration.ofSeconds(10));
            server.waitFor(Duration.ofSeconds(10));
        }
    }

    private static void mark(RawTable<EventRow>.Log events, Event event) throws IOException {
        events.add(new EventRow(event, System.currentTimeMillis()));
    }

    /**
     * A few requests whose client side is left to time out in FIN_WAIT_2 while the server holds
     * them in CLOSE_WAIT; then a new connection from one of their source ports.
     */
    private static void reconnect(Trial trial, AgentProcess client, Sampler sampler, RawTable<EventRow>.Log events) throws Exception {
        client.send(Protocol.EARLY);
        int port = client.await(Protocol.EARLY_DONE, Duration.ofSeconds(30)).integer("port");
        mark(events, Event.EARLY);
        long finTimeout = Long.parseLong(trial.settings().getOrDefault("net.ipv4.tcp_fin_timeout", "60").trim());
        trial.say("waiting for the client's FIN_WAIT_2 to time out (tcp_fin_timeout " + finTimeout + " s)");
        sampler.until(() -> !clientHolds(trial, port), Duration.ofMillis(finTimeout * 1125 + 2000));
        Map<String, Long> serverBefore = KernelCounters.mib(trial.lab().server().procNet());
        Map<String, Long> clientBefore = KernelCounters.mib(trial.lab().client().procNet());
        String stateBefore = serverState(trial, port);
        tcplab.lab.Capture capture = Ladders.start(trial, port); // the reconnect, for the ladder
        mark(events, Event.RECONNECT);
        client.send(Protocol.RECONNECT, "port", port);
        Message r = client.await(Protocol.RECONNECTED, Duration.ofSeconds(30));
        if (capture != null) {
            trial.sleep(Duration.ofMillis(100)); // the handshake's last ACK
            capture.close();
        }
        Map<String, Long> serverAfter = KernelCounters.mib(trial.lab().server().procNet());
        Map<String, Long> clientAfter = KernelCounters.mib(trial.lab().client().procNet());
        ReconnectRow row = new ReconnectRow(port, r.choice("outcome", LineRequest.Outcome.class), r.number("connect_us"), stateBefore,
                delta(serverBefore, serverAfter, "TcpExt.TCPChallengeACK"), delta(clientBefore, clientAfter, "Tcp.OutRsts"),
                delta(serverBefore, serverAfter, "Tcp.EstabResets"));
        try (var rows = ReconnectRow.TABLE.open(trial)) {
            rows.add(row);
        }
        trial.say("reconnect from port " + port + " (server side was " + stateBefore + "): " + row.outcome() + " after "
                + row.connectUs() / 1000 + " ms; challenge ACKs sent by the server: " + row.challengeAcks());
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    private static boolean clientHolds(Trial trial, int port) throws IOException {
        return !TcpSockets.countByState(trial.lab().client().procNet(), s -> s.localPort() == port && s.remotePort() == PORT).isEmpty();
    }

    private static String serverState(Trial trial, int clientPort) throws IOException {
        Map<String, Long> states = TcpSockets.countByState(trial.lab().server().procNet(),
                s -> s.localPort() == PORT && s.remotePort() == clientPort);
        return states.isEmpty() ? "none" : String.join("+", states.keySet());
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
