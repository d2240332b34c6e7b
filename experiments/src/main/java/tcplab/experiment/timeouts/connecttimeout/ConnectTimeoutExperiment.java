package tcplab.experiment.timeouts.connecttimeout;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
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
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Firewall;
import tcplab.lab.ServerProcess;
import tcplab.server.ClosePolicy;

/**
 * C10: a connect() to a host that silently drops SYNs takes as long as the kernel's SYN
 * retransmission schedule, unless the application's own connect timeout is shorter.
 *
 * <p>The server host drops every SYN to the server's port (an nf_tables rule in its own namespace,
 * counting what it drops); a server listens behind it. The client ({@link ConnectAgent}) connects,
 * with no timeout of its own or with one, and records how each connect() ended ({@link AttemptRow});
 * the lab reads the connecting socket from the client host's socket table every 20 ms, so each
 * retransmission is seen when the kernel's count of them goes up ({@link SynRow}), and counts the
 * SYNs the server host dropped ({@link TotalsRow}). {@link Claims} compares them with the model
 * ({@link Model}).
 *
 * <p>The model ({@link TcpModel#synSchedule}): timeouts from 1 s, the first tcp_syn_linear_timeouts
 * retransmissions 1 s apart, then doubling up to tcp_rto_max_ms; connect() fails with ETIMEDOUT
 * when a timeout fires after tcp_syn_retries + tcp_syn_linear_timeouts retransmissions or at least
 * 2^(tcp_syn_retries + 1) - 1 s after the first SYN. An application timeout shorter than that wins,
 * after the SYNs that fit into it.
 */
public final class ConnectTimeoutExperiment extends Experiment {
    static final long POLL_MILLIS = 20;
    private static final String SYN_RETRANS = "TcpExt.TCPSynRetrans";

    @Override
    public Map<String, String> commands() {
        Map<String, String> needs = new java.util.LinkedHashMap<>(Firewall.NEEDS); // the fault: the server host drops packets
        needs.putAll(tcplab.lab.Capture.NEEDS); // the ladder's SYNs
        return needs;
    }

    @Override
    public String oneMachineOnly() {
        return null; // across two machines too: what it needs of the server goes over ssh, and it follows only its own sockets
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // the SYN retransmission timer
    }

    @Override
    public String name() {
        return "connect-timeout";
    }

    @Override
    public String title() {
        return "Connect timeout: the SYN retransmission schedule";
    }

    @Override
    public List<String> claims() {
        return List.of("C10");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("connectTimeout", 0, 0, 600_000, "the application's connect timeout in ms; 0: none, the kernel decides"),
                Parameter.integer("attempts", 1, 1, 20, "connects, one after the other"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        double kernel = TcpModel.synSchedule(intOf(sysctls, "net.ipv4.tcp_syn_retries", 6),
                intOf(sysctls, "net.ipv4.tcp_syn_linear_timeouts", tcplab.kernel.Sysctl.of("net.ipv4.tcp_syn_linear_timeouts").exists() ? 4 : 0), TcpModel.seconds(sysctls, "net.ipv4.tcp_rto_max_ms", 1000,
                        TcpModel.RTO_MAX_SECONDS)).failsAt();
        int app = params.integer("connectTimeout");
        double each = app > 0 ? Math.min(kernel, app / 1000.0) : kernel;
        return Duration.ofMillis((long) (each * 1000 * 1.06 * params.integer("attempts")) + 800); // timers fire a little late
    }

    private static int intOf(Map<String, String> sysctls, String key, int fallback) {
        String v = sysctls.get(key);
        return v == null ? fallback : Integer.parseInt(v.trim());
    }

    @Override
    public void run(Trial trial) throws Exception {
        ServerProcess server = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "tcp dport " + ServerProcess.PORT + " tcp flags syn");
        trial.say("the server host now drops every SYN to port " + ServerProcess.PORT);
        Map<String, Long> before = KernelCounters.mib(trial.lab().client().procNet());
        tcplab.lab.Capture capture = Ladders.start(trial); // the SYNs of the first connect(), for the ladder
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("target", server.address()));
        try (var syns = SynRow.TABLE.open(trial)) {
            Map<Integer, Integer> seen = new HashMap<>();
            int attempt = 0;
            while (client.isAlive() && !trial.aborted()) {
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    if (s.state().equals("SYN_SENT") && s.remotePort() == ServerProcess.PORT
                            && !Integer.valueOf(s.retransmits()).equals(seen.get(s.localPort()))) {
                        if (!seen.containsKey(s.localPort())) {
                            attempt++;
                        }
                        seen.put(s.localPort(), s.retransmits());
                        syns.add(new SynRow(attempt, System.currentTimeMillis(), s.localPort(), s.retransmits()));
                    }
                }
                trial.sleep(Duration.ofMillis(POLL_MILLIS));
            }
        }
        client.waitFor(Duration.ofSeconds(10));
        if (capture != null) {
            capture.close();
        }
        Map<String, Long> after = KernelCounters.mib(trial.lab().client().procNet());
        try (var totals = TotalsRow.TABLE.open(trial)) {
            totals.add(new TotalsRow(Firewall.dropped(trial.serverHost()),
                    after.getOrDefault(SYN_RETRANS, 0L) - before.getOrDefault(SYN_RETRANS, 0L)));
        }
    }

    @Override
    public void agent(Agent agent) throws Exception {
        new ConnectAgent(agent).run();
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
