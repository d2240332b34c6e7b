package tcplab.experiment.timewait.portrangecost;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Agent;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.Sysctl;
import tcplab.kernel.TcpModel;
import tcplab.lab.ServerProcess;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * What a filling port range costs each connect(): connect latency against the share of the
 * ephemeral range held by TIME_WAIT, from empty to 99 %.
 *
 * <p>The client fills the range step by step with client-closed connections (each leaves a port
 * in TIME_WAIT), and at each step times connects that close with an RST (they leave nothing, so
 * the occupancy stays where it is). Everything happens within one minute, before the first
 * TIME_WAIT socket expires.
 *
 * <p>The model, from the kernel's search (__inet_hash_connect): it starts from a per-destination
 * offset that moves past each port it hands out (table_perturb), trying ports of one parity first.
 * Below half the range it therefore finds a free port at once, whatever the occupancy; once that
 * parity's N/2 ports are all held, every connect() first examines all of them, then takes a port
 * of the other parity. The cost should be flat up to 50 % and then jump to a level set by N/2.
 */
public final class PortRangeCostExperiment extends Experiment {
    static final int[] LEVELS = {0, 10, 25, 40, 48, 52, 60, 75, 90, 99};
    private static final String[] COLUMNS = {"level_percent", "time_wait", "occupancy_percent", "probes", "failed",
        "connect_p50_us", "connect_p90_us", "connect_p99_us", "connect_max_us"};

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

    /** The client: fill to each level with FIN closes, then time RST-closed probes. */
    @Override
    public void agent(Agent agent) throws Exception {
        int probes = agent.params().integer("probes");
        Client filler = new Client(Target.parse(agent.params().get("target")), false, -1, 5000);
        Client prober = new Client(Target.parse(agent.params().get("target")), false, 0, 5000);
        int ports = TcpModel.usablePorts(Map.of("net.ipv4.ip_local_port_range", Sysctl.of("net.ipv4.ip_local_port_range").read(),
                "net.ipv4.ip_local_reserved_ports", Sysctl.of("net.ipv4.ip_local_reserved_ports").read()));
        Path procNet = Path.of("/proc/self/net");
        long start = System.currentTimeMillis();
        long filled = 0;
        try (RunFolder.CsvLog rows = agent.rows("levels", COLUMNS)) {
            for (int level : LEVELS) {
                long target = (long) Math.floor(ports * level / 100.0);
                while (filled < target && !agent.expired()) {
                    try (SocketChannel channel = filler.open()) {
                        filled++;
                    } catch (IOException e) {
                        break; // out of ports sooner than the arithmetic says: measure where we are
                    }
                }
                if (System.currentTimeMillis() - start > 55_000) {
                    agent.say("stopping at " + level + " %: the first TIME_WAIT sockets are about to expire");
                    break;
                }
                Histogram connect = new Histogram(60_000_000L, 3);
                long failed = 0;
                for (int i = 0; i < probes && !agent.expired(); i++) {
                    long t0 = System.nanoTime();
                    try (SocketChannel channel = prober.open()) {
                        connect.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                    } catch (IOException e) {
                        failed++;
                    }
                }
                long tw = KernelCounters.timeWait(procNet);
                rows.row(level, tw, String.format(Locale.ROOT, "%.1f", 100.0 * tw / ports), connect.getTotalCount(), failed,
                        value(connect, 50), value(connect, 90), value(connect, 99), connect.getTotalCount() == 0 ? "" : connect.getMaxValue());
                agent.say(String.format(Locale.ROOT, "%d %% of %d ports held: connect p50 %s µs", level, ports, value(connect, 50)));
            }
        }
        agent.signal("done");
    }

    private static Object value(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "" : h.getValueAtPercentile(percentile);
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        Map<String, double[][]> p50 = Plots.series();
        StringBuilder table = new StringBuilder("| configuration | ports N | occupancy | connect p50 | p99 | max | failed probes |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunData.Result r : data.trials()) {
            List<Map<String, String>> rows = data.rows(r, "levels");
            if (!r.ok() || rows.isEmpty()) {
                table.append("| ").append(r.label()).append(" | | not measured: ").append(r.status()).append(" | | | | |\n");
                continue;
            }
            int ports = TcpModel.usablePorts(r.sysctls());
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                Map<String, String> row = rows.get(i);
                x[i] = Double.parseDouble(row.get("occupancy_percent"));
                y[i] = row.get("connect_p50_us").isEmpty() ? Double.NaN : Double.parseDouble(row.get("connect_p50_us"));
                table.append(String.format(Locale.ROOT, "| %s | %d | %s %% | %s | %s | %s | %s |%n", r.label(), ports, row.get("occupancy_percent"),
                        micros(row.get("connect_p50_us")), micros(row.get("connect_p99_us")), micros(row.get("connect_max_us")), row.get("failed")));
            }
            p50.put(r.label() + " (N = " + ports + ")", new double[][] {x, y});
        }
        StringBuilder md = new StringBuilder("The client fills the ephemeral range with TIME_WAIT step by step and times connects at each"
                + " step (closed with an RST, so they leave the occupancy as it is). The model: the kernel's search resumes past the last"
                + " port it handed out and tries one parity first, so the cost is flat until that parity's N/2 ports are all held, then"
                + " every connect() examines all of them first.\n\n");
        if (!p50.isEmpty()) {
            String title = "connect() latency against port range occupancy, profile " + data.profile();
            XYChart chart = Plots.lines(title, "share of the ephemeral range in TIME_WAIT (%)", "connect() p50 (µs)", p50, null);
            Plots.save(chart, data.charts(), "port-range-cost");
            md.append(new Drawn("port-range-cost", title, "Median connect() latency at each occupancy; expect a step at 50 %.").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), List.of());
    }

    private static String micros(String us) {
        return us == null || us.isEmpty() ? "" : Format.micros(Double.parseDouble(us));
    }
}
