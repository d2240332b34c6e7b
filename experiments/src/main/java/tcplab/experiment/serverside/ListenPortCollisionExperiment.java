package tcplab.experiment.serverside;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Agent;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.TcpModel;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * C8: a listening port inside ip_local_port_range can be taken by an outgoing connection before the
 * server starts; a port below the range, or one in ip_local_reserved_ports, cannot.
 *
 * <p>In the client host, a share of the usable range is held by outgoing connections to the lab's
 * server; then a server (Java's defaults: SO_REUSEADDR on) tries to listen on four ports of that
 * host: one inside the range with the parity connect() tries first, one inside with the other
 * parity, one below the range, and one inside the range but listed in ip_local_reserved_ports.
 * The connections are then reset (no TIME_WAIT), and the trial repeats.
 *
 * <p>The model ({@link TcpModel#portTakenProbability}): bind() fails exactly when an outgoing
 * connection holds the port (the connection's socket has no SO_REUSEADDR, so the two conflict).
 * connect() takes the ports of one parity first, so a port of that parity fails with chance
 * min(1, n/E), one of the other parity with max(0, (n - E)/O); averaged over the two, the chance
 * is the share of the range in use. Below the range and reserved: never.
 */
public final class ListenPortCollisionExperiment extends Experiment {
    private static final String[] ROWS = {"trial", "connections", "case", "port", "held", "outcome", "error"};

    /** The four ports a server tries. */
    enum Case {
        FIRST_PARITY("inside the range, parity tried first"),
        OTHER_PARITY("inside the range, other parity"),
        BELOW_RANGE("below the range"),
        RESERVED("inside, in ip_local_reserved_ports");

        final String text;

        Case(String text) {
            this.text = text;
        }
    }

    @Override
    public String name() {
        return "listen-port-collision";
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
        List<String> list = new ArrayList<>();
        ports.forEach((c, p) -> list.add(c + "=" + p));
        trial.say(connections + " of " + usable + " usable ports held; a server tries " + String.join(", ", list));
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("target", server.address(), "connections",
                Integer.toString(connections), "ports", String.join(",", list)));
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

    /**
     * The client host: hold the connections, try each port as a server would, reset the
     * connections (so no TIME_WAIT carries over), repeat.
     */
    @Override
    public void agent(Agent agent) throws Exception {
        int trials = agent.params().integer("trials");
        int n = agent.params().integer("connections");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String pair : agent.params().get("ports").split(",")) {
            String[] kv = pair.split("=");
            ports.put(kv[0], Integer.parseInt(kv[1]));
        }
        Client client = new Client(Target.parse(agent.params().get("target")), false, 0, 5000); // SO_LINGER 0: close resets
        try (RunFolder.CsvLog rows = agent.rows("binds", ROWS)) {
            for (int t = 1; t <= trials && !agent.expired(); t++) {
                List<SocketChannel> held = new ArrayList<>(n);
                Set<Integer> local = new HashSet<>();
                try {
                    for (int i = 0; i < n && !agent.expired(); i++) {
                        SocketChannel c = client.open();
                        held.add(c);
                        local.add(((InetSocketAddress) c.getLocalAddress()).getPort());
                    }
                    for (Map.Entry<String, Integer> port : ports.entrySet()) {
                        String error = tryListen(port.getValue());
                        rows.row(t, held.size(), port.getKey(), port.getValue(), local.contains(port.getValue()),
                                error == null ? "listening" : "failed", error == null ? "" : error);
                    }
                } finally {
                    held.forEach(Client::closeQuietly);
                }
                if (t % Math.max(1, trials / 4) == 0) {
                    agent.say(t + " of " + trials + " trials");
                }
            }
        }
        agent.signal("done " + trials + " trials with " + n + " connections held");
    }

    /** null when a server could listen on the port (with Java's defaults, as most servers start), else the error. */
    private static String tryListen(int port) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port), 50);
            return null;
        } catch (BindException e) {
            return e.getMessage();
        }
    }

    /** The trials of one case in one configuration. */
    record Tally(int trials, int failed, int held, int failedNotHeld, int connections) {
        double rate() {
            return trials == 0 ? Double.NaN : (double) failed / trials;
        }
    }

    static Map<String, Tally> tally(List<Map<String, String>> rows) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Map<String, String> row : rows) {
            int[] c = counts.computeIfAbsent(row.get("case"), k -> new int[5]);
            boolean failed = row.get("outcome").equals("failed");
            boolean held = Boolean.parseBoolean(row.get("held"));
            c[0]++;
            c[1] += failed ? 1 : 0;
            c[2] += held ? 1 : 0;
            c[3] += failed != held ? 1 : 0;
            c[4] = Math.max(c[4], Integer.parseInt(row.get("connections")));
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        counts.forEach((k, c) -> tallies.put(k, new Tally(c[0], c[1], c[2], c[3], c[4])));
        return tallies;
    }

    /** The model's chance for a case, given the connections held. */
    static double model(Case c, int connections, int[] byParity) {
        return switch (c) {
            case FIRST_PARITY -> TcpModel.portTakenProbability(connections, byParity[0], byParity[1], true);
            case OTHER_PARITY -> TcpModel.portTakenProbability(connections, byParity[0], byParity[1], false);
            case BELOW_RANGE, RESERVED -> 0.0;
        };
    }

    /**
     * How far a rate over {@code trials} may stray from the model's chance: three binomial standard
     * deviations plus half a trial. The trials are not independent (connect() moves on from where the
     * last one stopped), which if anything spreads the ports more evenly than chance would.
     */
    static double tolerance(double p, int trials) {
        return 3 * Math.sqrt(p * (1 - p) / trials) + 0.5 / trials;
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<Case, TreeMap<Double, Double>> measured = new LinkedHashMap<>();
        Map<Case, TreeMap<Double, Double>> modelled = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| configuration | connections / usable ports | port | trials | bind failed | model |"
                + " failed without an outgoing connection on the port |\n|---|---|---|---:|---:|---:|---:|\n");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | | |\n");
                continue;
            }
            int[] byParity = TcpModel.usablePortsByParity(r.sysctls());
            int usable = byParity[0] + byParity[1];
            Map<String, Tally> tallies = tally(data.rows(r, "binds"));
            Map<Case, Integer> ports = ports(r.sysctls());
            for (Case c : Case.values()) {
                Tally t = tallies.get(c.name());
                if (t == null) {
                    claims.add(Claim.skipped("C8", name(), data.where(r).and("port=" + c.name()), metric(c), c == Case.RESERVED
                            ? "No port of ip_local_reserved_ports lies inside the range; set one (the plans reserve one) to test it."
                            : "The range leaves no port for this case."));
                    continue;
                }
                double occupancy = 100.0 * t.connections() / usable;
                double p = model(c, t.connections(), byParity);
                measured.computeIfAbsent(c, k -> new TreeMap<>()).put(occupancy, t.rate());
                modelled.computeIfAbsent(c, k -> new TreeMap<>()).put(occupancy, p);
                table.append(String.format(Locale.ROOT, "| %s | %d / %d (%.0f%%) | %d, %s | %d | %d (%.0f%%) | %.0f%% | %d |%n", r.label(),
                        t.connections(), usable, occupancy, ports.getOrDefault(c, 0), c.text, t.trials(), t.failed(), 100 * t.rate(),
                        100 * p, t.failedNotHeld()));
                Claim.Where conditions = data.where(r, "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports").and("port=" + c.name());
                claims.add(claim(c, conditions, t, p, byParity));
            }
            Tally first = tallies.get(Case.FIRST_PARITY.name());
            Tally other = tallies.get(Case.OTHER_PARITY.name());
            if (first != null && other != null) {
                double p1 = model(Case.FIRST_PARITY, first.connections(), byParity);
                double p2 = model(Case.OTHER_PARITY, other.connections(), byParity);
                double share = (double) first.connections() / usable;
                double rate = (first.rate() + other.rate()) / 2;
                double tol = 3 * Math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / (4.0 * first.trials())) + 0.5 / first.trials();
                claims.add(Claim.between("C8", name(), data.where(r, "net.ipv4.ip_local_port_range").and("port=INSIDE"),
                        Claim.Metric.of("bind_failed_share_inside", "share of trials where bind() failed, a port inside the range (both"
                                + " parities)", ""), Math.round((p1 + p2) / 2 * 1000) / 1000.0,
                        Math.round(rate * 1000) / 1000.0, Math.max(0, (p1 + p2) / 2 - tol), Math.min(1, (p1 + p2) / 2 + tol), String.format(Locale.ROOT,
                                "Averaged over the two parities, a port inside the range is taken with a chance equal to the share of the"
                                        + " range in use (%.1f%%; reserved ports can leave the two parities slightly different in size). Allowed: ±%.2f (3 binomial standard deviations, plus half a trial).",
                                100 * share, tol)).band(String.format(Locale.ROOT, "±%.3f: 3 binomial standard deviations over 2 × %d"
                                + " trials, + half a trial", tol, first.trials())));
            }
            int failedNotHeld = tallies.values().stream().mapToInt(Tally::failedNotHeld).sum();
            claims.add(Claim.check("C8", name(), data.where(r), Claim.Metric.of("binds_unexplained", "binds whose outcome an outgoing"
                    + " connection on the port did not explain", "binds"), "0", Integer.toString(failedNotHeld), failedNotHeld == 0, "bind() failed exactly when one of the host's"
                            + " outgoing connections held the port (its socket has no SO_REUSEADDR, so the two conflict), and succeeded"
                            + " otherwise: the collision is the whole mechanism."));
        }
        StringBuilder md = new StringBuilder("The client host holds outgoing connections on a share of its port range, then a server"
                + " tries to listen on four of its ports; the connections are reset and the trial repeats. connect() tries the"
                + " ports of one parity first (that of the range's low end), so a port's chance of being taken depends on its parity;"
                + " averaged over both it is the share of the range in use. Ports below the range or listed in"
                + " ip_local_reserved_ports are never taken.\n\n");
        if (!measured.isEmpty()) {
            Map<String, double[][]> series = Plots.series();
            Map<String, double[][]> model = Plots.series();
            measured.forEach((c, points) -> series.put("measured: " + c.text, Plots.xy(points)));
            modelled.forEach((c, points) -> {
                if (c == Case.FIRST_PARITY || c == Case.OTHER_PARITY) {
                    model.put("model: " + c.text, Plots.xy(points));
                }
            });
            if (measured.containsKey(Case.FIRST_PARITY) && measured.containsKey(Case.OTHER_PARITY)) {
                series.put("measured: inside the range, either parity", average(measured.get(Case.FIRST_PARITY), measured.get(Case.OTHER_PARITY)));
                model.put("model: inside the range, either parity = share in use", average(modelled.get(Case.FIRST_PARITY),
                        modelled.get(Case.OTHER_PARITY)));
            }
            String title = "Chance that a server cannot listen, profile " + data.profile();
            XYChart chart = Plots.lines(title, "share of the usable port range held by outgoing connections (%)",
                    "share of trials where bind() failed", series, model);
            Plots.save(chart, data.charts(), "listen-port-collision");
            md.append(new Drawn("listen-port-collision", title, "Share of trials in which a server could not listen, by port and by the"
                    + " share of the range in use; dashed: the model. Below the range and reserved stay at 0.").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    private static Claim.Metric metric(Case c) {
        return Claim.Metric.of("bind_failed_share_" + c.name().toLowerCase(Locale.ROOT), "share of trials where bind() failed, " + c.text, "");
    }

    private Claim claim(Case c, Claim.Where conditions, Tally t, double p, int[] byParity) {
        Claim.Metric metric = metric(c);
        if (c == Case.BELOW_RANGE || c == Case.RESERVED) {
            return Claim.check("C8", name(), conditions, metric, "0", Claim.number(t.rate()), t.failed() == 0,
                    c == Case.BELOW_RANGE ? "connect() only picks ports inside ip_local_port_range, so a port below it is never taken."
                            : "connect() skips ports listed in ip_local_reserved_ports, so a reserved port inside the range stays free.");
        }
        double tol = tolerance(p, t.trials());
        String why = String.format(Locale.ROOT, "%d connections held; connect() fills the %d usable ports with the parity of the range's"
                        + " low end before the %d of the other, so the chance is %s. Allowed: ±%.2f (3 binomial standard deviations over %d"
                        + " trials, plus half a trial).", t.connections(), byParity[0], byParity[1],
                c == Case.FIRST_PARITY ? "min(1, n/E)" : "max(0, (n - E)/O)", tol, t.trials());
        return Claim.between("C8", name(), conditions, metric, Math.round(p * 1000) / 1000.0, Math.round(t.rate() * 1000) / 1000.0,
                Math.max(0, p - tol), Math.min(1, p + tol), why).band(String.format(Locale.ROOT, "±%.3f: 3 binomial standard deviations over %d trials, + half a trial",
                tol, t.trials()));
    }

    private static double[][] average(TreeMap<Double, Double> a, TreeMap<Double, Double> b) {
        TreeMap<Double, Double> mean = new TreeMap<>();
        a.forEach((x, y) -> {
            if (b.containsKey(x)) {
                mean.put(x, (y + b.get(x)) / 2);
            }
        });
        return Plots.xy(mean);
    }
}
