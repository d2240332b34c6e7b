package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Message;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Firewall;
import tcplab.lab.ServerProcess;

/**
 * C12: a connection whose peer vanished while data is in flight fails only after tcp_retries2
 * retransmissions (about 15 minutes with the default 15); keepalive does not shorten that;
 * TCP_USER_TIMEOUT does.
 *
 * <p>The client ({@link WriterAgent}) writes as fast as it can to a server ({@link ReaderAgent})
 * that reads everything; then the server host drops every packet (nf_tables). The client's writes
 * fill its send buffer and block; the lab reads the client's socket from the socket table every
 * 50 ms, so each retransmission is seen ({@link RetransmitRow}). The client records when its write
 * fails, and why ({@link OutcomeRow}). Variants: plain; with keepalive set aggressively on the
 * socket (1 s idle, 1 s interval, 1 probe); with TCP_USER_TIMEOUT, which the JDK cannot set, through
 * Netty's epoll transport. {@link Claims} compares the failure with the model ({@link Failure}).
 *
 * <p>The model: the kernel's hypothetical timeout for tcp_retries2 ({@link TcpModel#retransmitTimeoutSeconds}:
 * the doubling retransmission timeouts from 200 ms summed up to the 120 s cap, then 120 s each; 3 s
 * for 3, 924.6 s for 15) counts from the first retransmission and is checked when a retransmission
 * timer fires, so the connection fails one timeout later ({@link TcpModel#retransmitFailureSeconds}:
 * 6.2 s for 3, 1044.6 s for 15). Keepalive probes only an idle connection, and one with data in
 * flight is not idle. TCP_USER_TIMEOUT replaces the hypothetical timeout by its own, and the timer
 * is clamped to fire when it passes ({@link TcpModel#userTimeoutFailureSeconds}).
 */
public final class StuckWriteExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    static final long POLL_MILLIS = 50;
    /** The socket table's code for a pending retransmission timer ({@link TcpSockets.Socket#timer}). */
    private static final int RETRANSMIT_TIMER = 1;

    @Override
    public Map<String, String> commands() {
        Map<String, String> needs = new java.util.LinkedHashMap<>(Firewall.NEEDS); // the fault: the server host drops packets
        needs.putAll(tcplab.lab.Capture.NEEDS); // the ladder's probe connection
        return needs;
    }

    @Override
    public String oneMachineOnly() {
        return "it drops every packet of the server, which between two real machines would cut the ssh link too";
    }

    @Override
    public Pace pace() {
        return Pace.TIMER; // the retransmission timer until tcp_retries2 or TCP_USER_TIMEOUT
    }

    @Override
    public String name() {
        return "stuck-write";
    }

    @Override
    public String title() {
        return "Stuck write: tcp_retries2, keepalive and TCP_USER_TIMEOUT";
    }

    @Override
    public List<String> claims() {
        return List.of("C12");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("variant", "PLAIN; KEEPALIVE (1 s idle, 1 s interval, 1 probe, on the socket); USER_TIMEOUT"
                        + " (TCP_USER_TIMEOUT through Netty's epoll transport)", "PLAIN", "KEEPALIVE", "USER_TIMEOUT"),
                Parameter.integer("userTimeout", 2000, 1, 3_600_000, "TCP_USER_TIMEOUT in ms, for the USER_TIMEOUT variant"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    /**
     * When a stuck write fails on the lab's veth path, for the estimate: its RTO is the 200 ms floor plus
     * the smoothed RTT, a little over 200 ms, and that moves the failure a doubling earlier than the
     * textbook's exactly-200 ms sum (TcpModel.retransmitFailureOnPath; 15 fails after about 930 s, not 1045 s).
     */
    private static double onLabPath(int retries2) {
        double rto = TcpModel.RTO_MIN_SECONDS + 0.001;
        return TcpModel.retransmitFailureOnPath(retries2, rto, rto, TcpModel.RTO_MIN_SECONDS, TcpModel.RTO_MAX_SECONDS, 250)[0];
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        double fails = params.get("variant").equals("USER_TIMEOUT")
                ? TcpModel.userTimeoutFailureSeconds(params.integer("userTimeout") / 1000.0, TcpModel.RTO_MIN_SECONDS)
                : onLabPath(Failure.retries2(sysctls));
        // + two agent JVMs and the flow getting going; the JDK variants' ladder probe fails about 0.3 s after the stuck write
        long probe = params.get("variant").equals("USER_TIMEOUT") ? 0 : 400;
        return Duration.ofMillis((long) (fails * 1000 * 1.06) + 1100 + probe);
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
        server.await(Protocol.LISTENING, Duration.ofSeconds(30));
        // the ladder's probe connection only (never the bulk data), from its handshake on; the Netty variant opens none
        Variant variant = trial.params().choice("variant", Variant.class);
        tcplab.lab.Capture capture = variant == Variant.USER_TIMEOUT ? null : Ladders.start(trial);
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress(),
                "probePort", Integer.toString(Ladders.PROBE_PORT)));
        Message started = client.await(Protocol.STARTED, Duration.ofSeconds(30));
        int probe = (int) started.number("probe");
        if (!Boolean.parseBoolean(started.text("writing"))) {
            trial.say("client: " + OutcomeRow.UNAVAILABLE + started.text("unavailable"));
            client.waitFor(Duration.ofSeconds(10));
            return;
        }
        Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "");
        Firewall.drop(trial.serverHost(), Firewall.Hook.OUTPUT, "");
        long fault = System.currentTimeMillis();
        client.send(Protocol.FAULT, "at_ms", fault);
        trial.say("the server host now drops every packet; the client keeps writing");
        try (var rows = RetransmitRow.TABLE.open(trial)) {
            Integer seen = null; // the retransmission count last written
            while (client.isAlive() && !trial.aborted()) {
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    // the main connection's socket only: the probe connects to the same port
                    if (s.remotePort() == PORT && s.localPort() != probe && s.state().equals("ESTABLISHED")
                            && !Integer.valueOf(s.retransmits()).equals(seen)) {
                        seen = s.retransmits();
                        // only the retransmission timer's time left dates a retransmission: the keepalive variant's 1 s
                        // timer shows when no data is out for a moment, and read as one it gave a negative RTO
                        long timer = s.timer() == RETRANSMIT_TIMER ? s.timerMillis() : 0;
                        rows.add(new RetransmitRow(System.currentTimeMillis(), s.retransmits(), timer, s.sendQueue()));
                        if (s.retransmits() > 0) {
                            trial.say(String.format(Locale.ROOT, "retransmission %d, %.1f s after the fault; next in %.1f s", s.retransmits(),
                                    (System.currentTimeMillis() - fault) / 1000.0, s.timerMillis() / 1000.0));
                        }
                    }
                }
                trial.sleep(Duration.ofMillis(POLL_MILLIS));
            }
        }
        client.waitFor(Duration.ofSeconds(10));
        if (capture != null) {
            capture.close();
        }
        server.send(Protocol.EXIT);
        server.waitFor(Duration.ofSeconds(10));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "server" -> new ReaderAgent(agent).run();
            case "client" -> new WriterAgent(agent).run();
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
