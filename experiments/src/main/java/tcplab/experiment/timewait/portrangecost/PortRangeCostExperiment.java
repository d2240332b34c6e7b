package tcplab.experiment.timewait.portrangecost;

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
import tcplab.kernel.TcpModel;
import tcplab.lab.ServerProcess;
import tcplab.server.ClosePolicy;

/**
 * What a filling port range costs each connect(): connect latency against the share of the
 * ephemeral range held by TIME_WAIT, from empty to 99 %.
 *
 * <p>The client ({@link FillAgent}) fills the range step by step with client-closed connections
 * (each leaves a port in TIME_WAIT), and at each step times connects that close with an RST (they
 * leave nothing, so the occupancy stays where it is), a {@link LevelRow} a step. Everything happens
 * within one minute, before the first TIME_WAIT socket expires. It tests no claim of its own: it
 * shows the scan C3's explanation names, and {@link Report} draws it.
 *
 * <p>The model, from the kernel's search (__inet_hash_connect): it starts from a per-destination
 * offset that moves past each port it hands out (table_perturb), trying ports of one parity first.
 * Below half the range it therefore finds a free port at once, whatever the occupancy; once that
 * parity's N/2 ports are all held, every connect() first examines all of them, then takes a port
 * of the other parity. The cost should be flat up to 50 % and then jump to a level set by N/2.
 */
public final class PortRangeCostExperiment extends Experiment {
    @Override
    public String oneMachineOnly() {
        return "it fills the client's port range with TIME_WAIT sockets, which on a real machine outlive the configuration by 60 s (a namespace lab starts each empty)";
    }

    @Override
    public Pace pace() {
        return Pace.CPU; // the cost of a connect() is CPU time
    }

    @Override
    public String name() {
        return "port-range-cost";
    }

    @Override
    public String title() {
        return "What a filling port range costs each connect()";
    }

    @Override
    public List<String> claims() {
        return List.of();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(Parameter.integer("probes", 200, 1, 100_000, "connects timed at each occupancy (closed with an RST)"));
    }

    /** About 2 s with a few thousand ports; the default range takes about 45 s (filling its second half is slow). */
    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        // as measured on 2 cores: 1.8 s for 4,000 ports and 200 probes, 33 s for 28,232 and 500
        long ports = TcpModel.portCount(sysctls) > 0 ? TcpModel.portCount(sysctls) : TcpModel.DEFAULT_PORTS;
        return Duration.ofMillis(300 + (long) (ports * params.integer("probes") * 0.0023));
    }

    @Override
    public Duration bound(Params params) {
        return Duration.ofSeconds(120);
    }

    @Override
    public void run(Trial trial) throws Exception {
        ServerProcess server = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("target", server.address()));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        new FillAgent(agent).run();
    }

    /** None: the latencies explain C3's scan (docs/claims.md), they are no claim of their own. */
    @Override
    public List<Claim> claims(ExperimentData data) {
        return List.of();
    }

    @Override
    public Section report(ExperimentData data, List<Claim> claims) throws IOException {
        return Report.section(this, data);
    }
}
