package tcplab.experiment.serverside.listenportcollision;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tcplab.experiment.Agent;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.kernel.TcpModel;
import tcplab.lab.ServerProcess;
import tcplab.server.ClosePolicy;

/**
 * C8: a listening port inside ip_local_port_range can be taken by an outgoing connection before the
 * server starts; a port below the range, or one in ip_local_reserved_ports, cannot.
 *
 * <p>In the client host, a share of the usable range is held by outgoing connections to the lab's
 * server; then a server (Java's defaults: SO_REUSEADDR on) tries to listen on four ports of that
 * host: one inside the range with the parity connect() tries first, one inside with the other
 * parity, one below the range, and one inside the range but listed in ip_local_reserved_ports.
 * The connections are then reset (no TIME_WAIT), and the trial repeats. The client host's agent
 * ({@link BindAgent}) writes a {@link BindRow} per try; {@link Claims} tallies them against the model.
 *
 * <p>The model ({@link TcpModel#portTakenProbability}): bind() fails exactly when an outgoing
 * connection holds the port (the connection's socket has no SO_REUSEADDR, so the two conflict).
 * connect() takes the ports of one parity first, so a port of that parity fails with chance
 * min(1, n/E), one of the other parity with max(0, (n - E)/O); averaged over the two, the chance
 * is the share of the range in use. Below the range and reserved: never.
 */
public final class ListenPortCollisionExperiment extends Experiment {
    static final String NAME = "listen-port-collision";

    @Override
    public String oneMachineOnly() {
        return "the collision is between one machine's listener and that machine's own outgoing connections, and the connections it holds open outlive a configuration on a real machine";
    }

    @Override
    public Pace pace() {
        // alone, though its result is no rate: run beside other configurations, its held connections took ports of both
        // parities where the model says one (0.067 of binds failed, model 0.002), likely because connect()'s port scan
        // starts from a table that every namespace's connects move (table_perturb in net/ipv4/inet_hashtables.c is per boot)
        return Pace.CPU;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String title() {
        return "A listening port taken by an outgoing connection";
    }

    @Override
    public List<String> claims() {
        return List.of("C8");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("occupancy", 50, 1, 99, "percent of the usable port range held by outgoing connections"),
                Parameter.integer("trials", 20, 1, 1000, "times the connections are opened and a server tries to start"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        // about 60 µs per connection made and reset, as measured on 2 cores (more above half the range, less below)
        long ports = TcpModel.portCount(sysctls) > 0 ? TcpModel.portCount(sysctls) : TcpModel.DEFAULT_PORTS;
        return Duration.ofMillis(500 + (long) (params.integer("trials") * params.integer("occupancy") / 100.0 * ports * 0.06));
    }

    @Override
    public void run(Trial trial) throws Exception {
        Map<Case, Integer> ports = ports(trial.settings());
        int usable = TcpModel.usablePorts(trial.settings());
        int connections = (int) Math.round(usable * trial.params().integer("occupancy") / 100.0);
        ServerProcess server = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        trial.say(connections + " of " + usable + " usable ports held; a server tries " + encode(ports).replace(",", ", "));
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("target", server.address(), "connections",
                Integer.toString(connections), "ports", encode(ports)));
    }

    /** The port of each case, from the range and reserved ports in effect; a case with no such port is left out. */
    static Map<Case, Integer> ports(Map<String, String> settings) {
        String[] bounds = settings.get("net.ipv4.ip_local_port_range").trim().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        Map<Case, Integer> ports = new LinkedHashMap<>();
        int middle = low + (high - low) / 2;
        for (int p = middle - (middle - low) % 2; p + 1 <= high; p += 2) {
            if (!TcpModel.reserved(settings, p) && !TcpModel.reserved(settings, p + 1)) {
                ports.put(Case.FIRST_PARITY, p);
                ports.put(Case.OTHER_PARITY, p + 1);
                break;
            }
        }
        if (low > 1) {
            ports.put(Case.BELOW_RANGE, Math.max(1, low - 100));
        }
        for (int p = low; p <= high; p++) {
            if (TcpModel.reserved(settings, p)) {
                ports.put(Case.RESERVED, p);
                break;
            }
        }
        return ports;
    }

    /** The agent's {@code ports} parameter: CASE=port,… by name, read back by {@link #decode}. */
    static String encode(Map<Case, Integer> ports) {
        return ports.entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static Map<Case, Integer> decode(String ports) {
        Map<Case, Integer> decoded = new LinkedHashMap<>();
        for (String pair : ports.isEmpty() ? new String[0] : ports.split(",")) {
            String[] kv = pair.split("=", 2);
            decoded.put(Case.valueOf(kv[0]), Integer.parseInt(kv[1]));
        }
        return decoded;
    }

    @Override
    public void agent(Agent agent) throws Exception {
        if (agent.role().equals("client")) {
            BindAgent.run(agent);
        } else {
            super.agent(agent);
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
