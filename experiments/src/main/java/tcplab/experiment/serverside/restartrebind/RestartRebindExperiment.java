package tcplab.experiment.serverside.restartrebind;

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
import tcplab.experiment.serverside.restartrebind.EventRow.Event;
import tcplab.experiment.serverside.restartrebind.Protocol.When;
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;

/**
 * C7: a restarted server fails with "Address already in use" without SO_REUSEADDR, and restarts at
 * once with it.
 *
 * <p>A real restart, with two processes. The old server listens with SO_REUSEADDR on or off and
 * accepts connections from a client; then it goes, leaving one of three things on its port:
 * <ul>
 *   <li>{@code TIME_WAIT}: it is killed (SIGKILL, a crash); the kernel closes its connections, so
 *       the server closed first, and the clients close on end of file: the server's side of each
 *       connection waits in TIME_WAIT for 60 s;</li>
 *   <li>{@code ESTABLISHED}: it closes its listener but keeps serving its open connections (a
 *       graceful drain, or a child process that inherited them);</li>
 *   <li>{@code NOTHING}: the clients close first, the server closes after them and exits.</li>
 * </ul>
 * A new process then binds the same port with SO_REUSEADDR set explicitly on or off, retrying every
 * 100 ms for {@code retry} seconds. Java turns SO_REUSEADDR on by default for server sockets on
 * Linux; the new process records what it found, and so does the run's metadata.
 *
 * <p>The roles: {@link OldServer}, {@link Clients} and {@link NewServer}; the raw files
 * {@link AttemptRow}, {@link EventRow}, {@link LeftoverRow}, {@link JavaDefaultRow}, read back as an
 * {@link Outcome}; {@link Claims} compares it with the model, {@link Report} draws it.
 *
 * <p>The model ({@link TcpModel#rebindAllowed}): with sockets left on the port, bind() succeeds
 * only when the new socket and the leftovers (which inherited the old listener's option) both have
 * SO_REUSEADDR. Otherwise it fails until the leftovers go: TIME_WAIT after 60 s, ESTABLISHED when
 * the old process closes them.
 */
public final class RestartRebindExperiment extends Experiment {
    static final String NAME = "restart-rebind";
    static final int PORT = ServerProcess.PORT;
    static final long RETRY_EVERY_MILLIS = 100;

    /** What the old server leaves on its port. */
    enum Leftover { TIME_WAIT, ESTABLISHED, NOTHING }

    @Override
    public String oneMachineOnly() {
        return "it restarts a server on one fixed port, and on a real machine the previous configuration's TIME_WAIT sockets on that port are still there (a namespace lab starts empty)";
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // whether a bind fails, and when a retry succeeds (TIME_WAIT's timer)
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "Restarting a server: SO_REUSEADDR and \"Address already in use\"";
    }

    @Override
    public List<String> claims() {
        return List.of("C7");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("oldReuse", "SO_REUSEADDR on the old server's listener", "false", "true"),
                Parameter.choice("newReuse", "SO_REUSEADDR on the new server's listener", "false", "true"),
                Parameter.choice("leftover", "what the old server leaves on the port: TIME_WAIT (killed, so it closed first),"
                        + " ESTABLISHED (still draining its connections), NOTHING (clients closed first)", "TIME_WAIT", "ESTABLISHED", "NOTHING"),
                Parameter.integer("connections", 10, 1, 1000, "connections the old server holds"),
                Parameter.integer("retry", 3, 0, 120, "seconds the new server keeps retrying bind(); past 60 s"
                        + " + the 60 s timer's timer-wheel granule + 1 s (64 at CONFIG_HZ = 250) a TIME_WAIT leftover is seen to end"));
    }

    @Override
    public Duration expected(Params params) {
        Setup s = Setup.of(params);
        boolean waits = s.leftover() != Leftover.NOTHING && !s.allowed(1); // sockets are left: bound at once only if allowed
        long retry = params.integer("retry");
        long waited = !waits ? 0 : s.leftover() == Leftover.TIME_WAIT ? Math.min(retry, TcpModel.TIME_WAIT_SECONDS + 1) : retry;
        return Duration.ofSeconds(1 + waited); // three short-lived JVMs, as measured
    }

    @Override
    public Map<String, String> commands() {
        return tcplab.lab.Capture.NEEDS; // the ladder of a restart with TIME_WAIT left
    }

    @Override
    public void run(Trial trial) throws Exception {
        Leftover leftover = trial.params().choice("leftover", Leftover.class);
        try (var events = EventRow.TABLE.open(trial)) {
            AgentProcess old = trial.agent(trial.lab().server(), "old", Map.of("bind", trial.serverAddress()));
            old.await(Protocol.LISTENING, Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await(Protocol.CONNECTED, Duration.ofSeconds(30));
            old.await(Protocol.ACCEPTED, Duration.ofSeconds(30));
            tcplab.lab.Capture capture = Ladders.start(trial, leftover); // one connection's close, for the ladder
            switch (leftover) {
                case TIME_WAIT -> {
                    client.send(Protocol.CLOSE, "when", When.ON_EOF);
                    events.add(new EventRow(Event.OLD_KILLED, System.currentTimeMillis()));
                    old.close(); // SIGKILL: the kernel closes its sockets, sending the FINs
                    client.await(Protocol.CLOSED, Duration.ofSeconds(10));
                }
                case ESTABLISHED -> {
                    old.send(Protocol.DRAIN);
                    old.await(Protocol.DRAINED, Duration.ofSeconds(10));
                    events.add(new EventRow(Event.OLD_STOPPED_LISTENING, System.currentTimeMillis()));
                }
                case NOTHING -> {
                    client.send(Protocol.CLOSE, "when", When.NOW);
                    client.await(Protocol.CLOSED, Duration.ofSeconds(10));
                    old.send(Protocol.EXIT);
                    old.waitFor(Duration.ofSeconds(10));
                    events.add(new EventRow(Event.OLD_EXITED, System.currentTimeMillis()));
                }
            }
            settle(trial, leftover);
            try (var states = LeftoverRow.TABLE.open(trial)) {
                for (Map.Entry<String, Long> e : portStates(trial).entrySet()) {
                    states.add(new LeftoverRow(e.getKey(), e.getValue()));
                }
            }
            trial.say("left on port " + PORT + ": " + TcpSockets.describe(portStates(trial)));
            events.add(new EventRow(Event.NEW_STARTED, System.currentTimeMillis()));
            trial.agentUntilDone(trial.lab().server(), "new", Map.of("bind", trial.serverAddress()));
            if (capture != null) {
                capture.close();
            }
        }
    }

    /** Waits (at most 5 s) until the leftover is in place: the listener gone, the closes through. */
    private static void settle(Trial trial, Leftover leftover) throws IOException {
        long until = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < until && trial.sleep(Duration.ofMillis(20))) {
            Map<String, Long> states = portStates(trial);
            boolean settled = !states.containsKey("LISTEN") && switch (leftover) {
                case TIME_WAIT -> states.keySet().stream().allMatch("TIME_WAIT"::equals);
                case ESTABLISHED -> true;
                case NOTHING -> states.isEmpty();
            };
            if (settled) {
                return;
            }
        }
    }

    private static Map<String, Long> portStates(Trial trial) throws IOException {
        return TcpSockets.countByState(trial.lab().server().procNet(), s -> s.localPort() == PORT);
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "old" -> OldServer.run(agent);
            case "client" -> Clients.run(agent);
            case "new" -> NewServer.run(agent);
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
