package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.lab.NetworkPath;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.server.ClosePolicy;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;

/**
 * C3, C4: how many new connections per second one client can open to one destination.
 *
 * <p>One client ({@link ClientAgent}) opens connections to one server as fast as it can for a
 * bounded time and records, each second ({@link SecondRow}): complete connections, failures by cause
 * (EADDRNOTAVAIL above all), the TIME_WAIT sockets of its host, and connect() latency percentiles;
 * {@link Claims} compares them with the model, {@link Report} draws them.
 *
 * <p>The model, from the sysctls in effect. With N usable ports (ip_local_port_range minus
 * ip_local_reserved_ports) and a client that keeps TIME_WAIT:
 * <ul>
 *   <li>without reuse, every port stays held for TIME_WAIT's 60 s (TCP_TIMEWAIT_LEN), so no 60 s
 *       window holds more than N new connections: a sustained rate of N / 60 per second;</li>
 *   <li>with reuse (tcp_tw_reuse 1 with timestamps, or 2 on loopback) connect() may take over a
 *       TIME_WAIT port once it is older than tcp_tw_reuse_delay (1 s without that sysctl): the ceiling
 *       rises to N / delay per second, and a client slower than that never waits for a port;</li>
 *   <li>tcp_tw_reuse 1 without timestamps, and 2 off loopback, reuse nothing: back to N / 60;</li>
 *   <li>with an RST close (SO_LINGER 0) there is no TIME_WAIT and no ceiling at all.</li>
 * </ul>
 */
public final class PortExhaustionExperiment extends Experiment {
    static final String NAME = "port-exhaustion";

    @Override
    public String oneMachineOnly() {
        return "its ceiling counts the client's TIME_WAIT sockets, and a real machine keeps the previous configuration's for 60 s (a namespace lab starts each empty)";
    }

    @Override
    public Pace pace() {
        // alone even where no reuse is in effect and the range's N connections then a 60 s wait are the result: once the
        // range is held, each connect() scans it, and the refill rate and the best 60 s window follow that CPU-bound scan.
        // Beside neighbours a full-plan run's scan fell from about 220 to 130 connections a second
        return Pace.CPU;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "Port exhaustion: new connections per second from one client to one destination";
    }

    @Override
    public List<String> claims() {
        return List.of("C3", "C4");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("closeMode", "CLIENT_FIN keeps TIME_WAIT on the client; CLIENT_RST (SO_LINGER 0) keeps none",
                        "CLIENT_FIN", "CLIENT_RST"),
                Parameter.integer("seconds", 10, 1, 3600, "how long the client opens connections; past 60 s the first TIME_WAIT sockets expire"));
    }

    @Override
    public List<NetworkPath> paths() {
        return List.of(NetworkPath.VETH, NetworkPath.LOOPBACK);
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofMillis(params.integer("seconds") * 1000L + 1100); // + server and agent JVMs and the capture: 4.1 s for 2 s measured, quick plan, 2 GHz Xeon
    }

    @Override
    public Duration work(Params params, Map<String, String> sysctls) {
        return expected(params).minusSeconds(params.integer("seconds")); // the client opens connections for a fixed time
    }

    @Override
    public Map<String, String> commands() {
        return tcplab.lab.Capture.NEEDS; // C1's ladder
    }

    @Override
    public void run(Trial trial) throws Exception {
        CloseMode mode = trial.params().choice("closeMode", CloseMode.class);
        ServerProcess server = trial.server(ClosePolicy.forClient(mode, Exchange.NONE), "server");
        int port = Ladders.port(trial);
        tcplab.lab.Capture capture = Ladders.start(trial, port); // the first connection, for C1's ladder
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("target", server.address(), Ladders.PORT, Integer.toString(port)));
        if (capture != null) {
            capture.close();
        }
    }

    @Override
    public void agent(Agent agent) throws Exception {
        new ClientAgent(agent).run();
    }

    @Override
    public List<Claim> claims(ExperimentData data) throws IOException {
        return Claims.of(data);
    }

    @Override
    public Section report(ExperimentData data, List<Claim> claims) throws IOException {
        return Report.section(this, data, claims);
    }

    /** Complete connections each second of one configuration, {seconds, connections}: for charts that set runs side by side. */
    public static double[][] rate(ExperimentData data, RunData.Result r) throws IOException {
        Trace t = new Trace(SecondRow.TABLE.read(data, r));
        return new double[][] {t.seconds, t.ok};
    }
}
