package tcplab.experiment.timewait.timewaitlifetime;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.RawTable;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Connection;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;
import tcplab.server.ClosePolicy;

/**
 * C2: TIME_WAIT lasts 60 s on Linux, and tcp_fin_timeout does not change it; tcp_fin_timeout governs
 * FIN_WAIT_2 instead.
 *
 * <p>The client closes connections first, half of them to a server that then closes too (the
 * client ends in TIME_WAIT), half to one that never closes (the client waits in FIN_WAIT_2, with
 * nobody holding the socket). The lab watches the client host's socket table every 100 ms and
 * records, per socket, when it was closed, the state and kernel timer it was first seen with, and
 * when it left the table: the {@link ClientAgent} writes {@link ClosedRow}s, the run side
 * {@link ObservedRow}s; {@link Claims} compares the lifetimes with the model.
 *
 * <p>The model: TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, fixed at compile time; an orphaned socket
 * in FIN_WAIT_2 is dropped after tcp_fin_timeout seconds. A socket watched until it leaves is
 * measured by observation; one that outlives the watch is measured by the kernel's own timer
 * (time already spent plus the timer it still shows), and the report says which.
 */
public final class TimeWaitLifetimeExperiment extends Experiment {
    static final int HOLD_PORT = ServerProcess.PORT + 1;
    /** How often the socket table is read, and so how late an end can be seen. */
    static final double POLL_SECONDS = 0.15;

    @Override
    public String oneMachineOnly() {
        return null; // across two machines too: what it needs of the server goes over ssh, and it follows only its own sockets
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // when TIME_WAIT and FIN_WAIT_2 end is the kernel's timers
    }

    @Override
    public String name() {
        return "time-wait-lifetime";
    }

    @Override
    public String title() {
        return "TIME_WAIT lifetime, and what tcp_fin_timeout governs";
    }

    @Override
    public List<String> claims() {
        return List.of("C2");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("sockets", 10, 1, 2000, "connections closed into each of TIME_WAIT and FIN_WAIT_2"),
                Parameter.integer("watch", 70, 1, 600, "seconds to watch the socket table; past 60 every TIME_WAIT socket is seen to leave"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofMillis(params.integer("watch") * 1000L + 300); // + two servers and an agent, as measured
    }

    @Override
    public void run(Trial trial) throws Exception {
        ServerProcess closes = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        ServerProcess holds = trial.server(ClosePolicy.HOLD_OPEN, "holding-server", List.of(HOLD_PORT));
        AgentProcess client = trial.agent(trial.lab().client(), "client",
                Map.of("target", closes.address(), "holdTarget", holds.address()));
        client.await(Protocol.CLOSED, Duration.ofSeconds(60));
        watch(trial, trial.params().integer("watch"));
        client.waitFor(Duration.ofSeconds(10));
    }

    /** Polls the client host's socket table, recording each closed socket's first sighting in each state, and its end. */
    private static void watch(Trial trial, int seconds) throws IOException {
        List<ClosedRow> closed = ClosedRow.TABLE.read(trial); // written by the agent: which sockets to follow
        Map<Connection, String> state = new HashMap<>();
        Set<Connection> gone = new HashSet<>();
        long end = System.currentTimeMillis() + seconds * 1000L;
        try (RawTable<ObservedRow>.Log rows = ObservedRow.TABLE.open(trial)) {
            while (!trial.aborted()) {
                long now = System.currentTimeMillis();
                Map<Connection, TcpSockets.Socket> present = new HashMap<>();
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    present.put(new Connection(s.localPort(), s.remotePort()), s);
                }
                int left = 0;
                for (ClosedRow c : closed) {
                    Connection key = c.connection();
                    if (gone.contains(key)) {
                        continue;
                    }
                    TcpSockets.Socket s = present.get(key);
                    String was = state.get(key);
                    if (s != null && !s.state().equals(was)) {
                        rows.add(ObservedRow.seen(key, now, s.state(), s.timerMillis()));
                        state.put(key, s.state());
                    } else if (s == null && was != null) {
                        rows.add(ObservedRow.gone(key, now, was));
                        gone.add(key);
                        continue;
                    }
                    left++;
                }
                if (left == 0 || now >= end) {
                    trial.say(left == 0 ? "every socket has left the table" : left + " sockets still there after " + seconds + " s");
                    break;
                }
                trial.sleep(Duration.ofMillis(100)); // POLL_SECONDS allows for this and the read itself
            }
        }
    }

    @Override
    public void agent(Agent agent) throws Exception {
        ClientAgent.run(agent);
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
