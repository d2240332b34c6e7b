package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
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
import tcplab.experiment.timewait.EndedEarly;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpModel;
import tcplab.lab.NetworkPath;
import tcplab.lab.ServerProcess;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;
import tcplab.socket.Client;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.FailureCause;
import tcplab.socket.Target;

/**
 * C3, C4: how many new connections per second one client can open to one destination.
 *
 * <p>One client opens connections to one server as fast as it can for a bounded time and records,
 * each second: complete connections, failures by cause (EADDRNOTAVAIL above all), the TIME_WAIT
 * sockets of its host, and connect() latency percentiles.
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
    static final String[] COLUMNS = {"second", "ok", "addrNotAvailable", "refused", "timedOut", "reset", "other", "time_wait",
        "connect_p50_us", "connect_p90_us", "connect_p99_us", "connect_max_us"};
    private static final String[] SYSCTLS = {"net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse_delay", "net.ipv4.tcp_rfc1337"};

    @Override
    public String name() {
        return "port-exhaustion";
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
        return Duration.ofMillis(params.integer("seconds") * 1000L + 300); // + server and agent JVMs, as measured on 2 cores
    }

    @Override
    public void run(Trial trial) throws Exception {
        CloseMode mode = trial.params().choice("closeMode", CloseMode.class);
        ServerProcess server = trial.server(ClosePolicy.forClient(mode, Exchange.NONE), "server");
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("target", server.address()));
    }

    /** The client: connect/close as fast as it can, one row a second. */
    @Override
    public void agent(Agent agent) throws Exception {
        Params p = agent.params();
        CloseMode mode = p.choice("closeMode", CloseMode.class);
        Client client = new Client(Target.parse(p.get("target")), false, mode.lingerSeconds(1), 0);
        Path procNet = Path.of("/proc/self/net");
        Histogram connect = new Histogram(60_000_000L, 3);
        long[] counts = new long[FailureCause.values().length + 1]; // [0] ok, then failures by cause
        long total = 0;
        long failed = 0;
        try (RunFolder.CsvLog rows = agent.rows("seconds", COLUMNS)) {
            long start = System.nanoTime();
            long end = start + p.integer("seconds") * 1_000_000_000L;
            long nextRow = start + 1_000_000_000L;
            int second = 1;
            while (true) {
                long now = System.nanoTime();
                if (now - nextRow >= 0 || agent.expired()) {
                    long tw = KernelCounters.timeWait(procNet);
                    rows.row(second, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], tw,
                            value(connect, 50), value(connect, 90), value(connect, 99), connect.getTotalCount() == 0 ? "" : connect.getMaxValue());
                    agent.say(String.format(Locale.ROOT, "second %d: %d connections, %d failed (EADDRNOTAVAIL %d), TIME_WAIT %d",
                            second, counts[0], counts[1] + counts[2] + counts[3] + counts[4] + counts[5], counts[1], tw));
                    total += counts[0];
                    for (int i = 1; i < counts.length; i++) {
                        failed += counts[i];
                    }
                    java.util.Arrays.fill(counts, 0);
                    connect.reset();
                    if (now - end >= 0 || agent.expired()) {
                        break;
                    }
                    second++;
                    nextRow += 1_000_000_000L;
                }
                long t0 = System.nanoTime();
                try (SocketChannel channel = client.open()) {
                    connect.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                    counts[0]++;
                } catch (IOException e) {
                    counts[1 + FailureCause.of(e).ordinal()]++;
                }
            }
        }
        agent.signal("done " + total + " connections, " + failed + " failed");
    }

    private static Object value(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "" : h.getValueAtPercentile(percentile);
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        StringBuilder table = new StringBuilder("| configuration | ports N | model | connections: best 60 s window (all) | EADDRNOTAVAIL"
                + " | TIME_WAIT at the end | verdict |\n|---|---:|---|---:|---:|---:|---|\n");
        Map<String, double[][]> finRate = Plots.series();
        Map<String, double[][]> rstRate = Plots.series();
        Map<String, double[][]> timeWait = Plots.series();
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.append("| ").append(r.label()).append(" | | not measured: ").append(r.status()).append(" | | | | |\n");
                continue;
            }
            List<Map<String, String>> rows = data.rows(r, "seconds");
            Trace t = new Trace(rows);
            Params params = data.params(r);
            CloseMode mode = params.choice("closeMode", CloseMode.class);
            String label = r.label();
            (mode == CloseMode.CLIENT_RST ? rstRate : finRate).put(label, new double[][] {t.seconds, t.ok});
            if (mode == CloseMode.CLIENT_FIN) {
                timeWait.put(label, new double[][] {t.seconds, t.timeWait});
            }
            Claim claim = claim(data, r, params, t);
            claims.add(claim);
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %d (%d) | %d | %d | %s |%n", label, TcpModel.usablePorts(r.sysctls()),
                    claim.metric().label() + " = " + claim.model(), (long) t.maxIn60Seconds(), t.totalOk, t.totalNoPort, t.lastTimeWait(),
                    claim.verdict().word));
        }
        md.append("One client opens connections to one server as fast as it can, one configuration at a time in fresh namespaces,"
                + " and counts each second. The model: N usable ports, each held 60 s by TIME_WAIT without reuse (N / 60 new"
                + " connections per second, sustained), or tcp_tw_reuse_delay with reuse (N / delay); none with an RST close.\n\n");
        drawn(md, rate(finRate, "CLIENT_FIN", data));
        drawn(md, rate(rstRate, "CLIENT_RST", data));
        if (!timeWait.isEmpty()) {
            String title = "TIME_WAIT sockets in the client host, profile " + data.profile();
            XYChart chart = Plots.lines(title, "second", "TIME_WAIT sockets", timeWait, null);
            Plots.save(chart, data.charts(), "port-exhaustion-time-wait");
            drawn(md, new Drawn("port-exhaustion-time-wait", title, "Sockets in TIME_WAIT in the client's namespace, sampled each second (sockstat)."));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    /** Complete connections each second of one configuration, {seconds, connections}: for charts that set runs side by side. */
    public static double[][] rate(ExperimentData data, RunData.Result r) throws IOException {
        Trace t = new Trace(data.rows(r, "seconds"));
        return new double[][] {t.seconds, t.ok};
    }

    /** The claim one configuration tests, with the model from its own settings. */
    private Claim claim(ExperimentData data, RunData.Result r, Params params, Trace t) {
        Map<String, String> settings = r.sysctls();
        Claim.Where conditions = data.where(r, SYSCTLS);
        String scaled = TcpModel.scaledFromDefaults(settings, "net.ipv4.ip_local_port_range");
        String atDefaults = scaled.isEmpty() ? "" : TcpModel.DEFAULT_PORTS + " connections per 60 s window";
        int runSeconds = t.seconds.length;
        int ports = TcpModel.usablePorts(settings);
        boolean loopback = r.path().equals(NetworkPath.LOOPBACK.label());
        boolean reuse = TcpModel.timeWaitReuse(settings, loopback);
        String reuseSetting = settings.getOrDefault("net.ipv4.tcp_tw_reuse", "?");
        String timestamps = settings.getOrDefault("net.ipv4.tcp_timestamps", "?");
        if (params.choice("closeMode", CloseMode.class) == CloseMode.CLIENT_RST) {
            // an RST leaves no TIME_WAIT: the reuse and RFC 1337 settings do not apply to this row
            conditions = conditions.without("net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse_delay",
                    "net.ipv4.tcp_rfc1337");
            Claim c = Claim.check("C3", name(), conditions, NO_PORT, "0", Long.toString(t.totalNoPort),
                    t.totalNoPort == 0, String.format(Locale.ROOT, "SO_LINGER 0 closes with an RST and leaves no TIME_WAIT, so %d connections"
                            + " in %d s never ran out of %d ports (TIME_WAIT at the end: %d).", t.totalOk, t.seconds.length, ports, t.lastTimeWait()));
            // at the claim's scale once the run made more connections than there are ports: each port was used again
            return t.totalOk > ports ? c : c.shortOf(String.format(Locale.ROOT, "%d connections, fewer than the %d ports", t.totalOk, ports));
        }
        boolean reuseAsked = !reuseSetting.equals("0");
        String claimId = reuseAsked ? "C4" : "C3";
        if (reuse) {
            long delay = TcpModel.reuseDelayMillis(settings);
            double ceiling = ports * 1000.0 / delay;
            double steady = t.steadyRate();
            if (steady < 0.85 * ceiling) {
                long late = t.noPortAfterFirstSecond();
                return sustained(Claim.check(claimId, name(), conditions, NO_PORT_LATE, "0", Long.toString(late),
                        late == 0, String.format(Locale.ROOT, "tcp_tw_reuse = %s with timestamps (%s)%s: connect() may take over a"
                                + " TIME_WAIT port older than %d ms, so %d ports sustain %s/s; the client made %s/s, below that, %s. %d TIME_WAIT"
                                + " sockets were taken over (TcpExt.TWRecycled).", reuseSetting, timestamps, loopback ? " on loopback" : "", delay,
                                ports, Format.number(ceiling), Format.number(steady),
                                late == 0 ? "so it never waited for a port" : "yet it ran out: the reuse rule did not hold here",
                                r.clientCounter("TcpExt.TWRecycled", RunData.DELTA))), runSeconds, delay);
            }
            return sustained(Claim.compare(claimId, name(), conditions, SUSTAINED, ceiling, steady, 0.15,
                    String.format(Locale.ROOT, "tcp_tw_reuse = %s with timestamps%s: a TIME_WAIT port can be taken over once older than %d ms,"
                            + " so %d ports sustain at most %d / %.3f s = %s/s; the client, faster than that, is held to it.", reuseSetting,
                            loopback ? " on loopback" : "", delay, ports, ports, delay / 1000.0, Format.number(ceiling)))
                    .band("model ± 15 %: the first second, before the range is full, runs faster"), runSeconds, delay);
        }
        String why = !reuseAsked ? "tcp_tw_reuse = 0" : timestamps.equals("0")
                ? "tcp_tw_reuse = " + reuseSetting + " but tcp_timestamps = 0: without timestamps the kernel cannot tell the old connection's"
                        + " segments from the new one's, so it reuses nothing"
                : "tcp_tw_reuse = 2 reuses TIME_WAIT only for loopback connections, and this path is " + r.path();
        double window = t.maxIn60Seconds();
        String over = t.seconds.length > 60 ? "" : String.format(Locale.ROOT, " The run lasted %d s, so no TIME_WAIT socket expired and the"
                + " whole run is the 60 s window.", t.seconds.length);
        String shortfall = window < ports * 0.98 && t.totalNoPort == 0
                ? " The run ended before the range was full: connect() slows down long before it fails, because it first scans every"
                        + " port of one parity held in TIME_WAIT (__inet_hash_connect); a longer run fills it." : "";
        // each reset that ends a TIME_WAIT socket early frees one port for one more connection (see EndedEarly)
        long extra = EndedEarly.allowance(r);
        // Once one parity's ports are all held, every connect() scans them before it finds a free port of the
        // other (__inet_hash_connect), so on a slow machine the range may not fill before the first TIME_WAIT
        // expires: the window then holds the first parity plus what the scan-limited rate adds in the rest of it.
        int firstParity = TcpModel.usablePortsByParity(settings)[0];
        double[] scan = t.scanPhase(firstParity, ports);
        double model = ports;
        double low = ports * 0.98;
        double high = (ports + extra) * 1.02;
        String scanWhy = "";
        String band = "N − 2 % to N + one per early-ended TIME_WAIT (" + extra + ") + 2 %";
        if (scan != null) {
            double rest = Math.max(0, TcpModel.TIME_WAIT_SECONDS - scan[0]);
            double reach = firstParity + scan[2] * rest;
            scanWhy = String.format(Locale.ROOT, " connect() scans the held ports of one parity before it finds a free one: the first"
                    + " %d were held after %.0f s, then it managed %s connections a second (%s to %s), %s.", firstParity, scan[0],
                    Format.number(scan[2]), Format.number(scan[1]), Format.number(scan[3]), reach >= ports
                    ? "enough to fill the range before the first TIME_WAIT socket expired"
                    : String.format(Locale.ROOT, "too slow to fill the range before the first TIME_WAIT socket expired: %s of %d in 60 s,"
                            + " not the %s per second the folklore's ceiling assumes", Format.number(reach), ports,
                            Format.number(TcpModel.portCeilingPerSecond(ports))));
            if (reach < ports) {
                model = Math.round(reach);
                low = Math.min(ports, firstParity + scan[1] * rest) * 0.98;
                high = Math.min(ports, firstParity + scan[3] * rest + extra) * 1.02;
                band = "the first parity plus the slowest to the fastest scan-limited second over the rest of the 60 s, ± 2 %";
            }
        }
        Claim c = Claim.between(claimId, name(), conditions, WINDOW, model, window, low, high, String.format(Locale.ROOT,
                "%s. Each connection holds its port for 60 s in TIME_WAIT, so %d ports allow at most %d new connections per 60 s, at"
                        + " most %s per second sustained; then connect() fails with EADDRNOTAVAIL (%d times here).%s%s%s%s", why, ports, ports,
                        Format.number(TcpModel.portCeilingPerSecond(ports)), t.totalNoPort, scanWhy, over, shortfall, EndedEarly.explain(r)))
                .band(band).scaled(scaled, atDefaults);
        // the claim is a sustained rate: only a run past the first TIME_WAIT expiry (60 s, up to a 2 s timer granule late) sees the refill
        return runSeconds > TcpModel.TIME_WAIT_SECONDS + 3 ? c : c.shortOf(String.format(Locale.ROOT,
                "a %d s run: the ports ran out, but no TIME_WAIT socket expired, so the refill that sets the sustained rate was not seen",
                runSeconds));
    }

    /** A reuse rate is sustained only over many reuse delays: a few seconds' burst is consistent with it, no more. */
    private static Claim sustained(Claim c, int runSeconds, long delayMillis) {
        return runSeconds >= 10 && runSeconds * 1000L >= 10 * delayMillis ? c : c.shortOf(String.format(Locale.ROOT,
                "a %d s burst, not a sustained run (at least 10 s and 10 reuse delays)", runSeconds));
    }

    static final Claim.Metric NO_PORT = Claim.Metric.of("eaddrnotavail_failures", "EADDRNOTAVAIL failures", "connects");
    static final Claim.Metric NO_PORT_LATE = Claim.Metric.of("eaddrnotavail_failures_after_first_second",
            "EADDRNOTAVAIL failures after the first second", "connects");
    static final Claim.Metric SUSTAINED = Claim.Metric.of("sustained_connections_per_s", "sustained new connections per second", "connections/s");
    static final Claim.Metric WINDOW = Claim.Metric.of("max_connections_per_60s_window", "most new connections in any 60 s window", "connections");

    private Drawn rate(Map<String, double[][]> series, String mode, ExperimentData data) throws IOException {
        if (series.isEmpty()) {
            return null;
        }
        String name = "port-exhaustion-rate-" + mode;
        String title = "New connections per second with " + mode + ", profile " + data.profile();
        XYChart chart = Plots.lines(title, "second", "complete connections / s", series, null);
        Plots.save(chart, data.charts(), name);
        return new Drawn(name, title, "Complete connections each second, one line per configuration (labels name the sysctls the plan"
                + " set on top of the profile).");
    }

    private static void drawn(StringBuilder md, Drawn d) {
        if (d != null) {
            md.append(d.markdown("charts"));
        }
    }

    /** One configuration's seconds, as arrays. */
    static final class Trace {
        final double[] seconds;
        final double[] ok;
        final double[] timeWait;
        final double[] noPort;
        final long totalOk;
        final long totalNoPort;

        Trace(List<Map<String, String>> rows) {
            int n = rows.size();
            seconds = new double[n];
            ok = new double[n];
            timeWait = new double[n];
            noPort = new double[n];
            long sum = 0;
            long failed = 0;
            for (int i = 0; i < n; i++) {
                Map<String, String> row = rows.get(i);
                seconds[i] = Double.parseDouble(row.get("second"));
                ok[i] = Double.parseDouble(row.get("ok"));
                timeWait[i] = Double.parseDouble(row.get("time_wait"));
                noPort[i] = Double.parseDouble(row.get("addrNotAvailable"));
                sum += (long) ok[i];
                failed += (long) noPort[i];
            }
            totalOk = sum;
            totalNoPort = failed;
        }

        /** The most connections completed in any 60 consecutive seconds (the whole run when shorter). */
        double maxIn60Seconds() {
            double best = 0;
            for (int i = 0; i < ok.length; i++) {
                double sum = 0;
                for (int j = i; j < Math.min(ok.length, i + 60); j++) {
                    sum += ok[j];
                }
                best = Math.max(best, sum);
            }
            return best;
        }

        /** Mean complete connections per second after the first second (the first fills the range). */
        double steadyRate() {
            if (ok.length < 2) {
                return ok.length == 0 ? 0 : ok[0];
            }
            double sum = 0;
            for (int i = 1; i < ok.length; i++) {
                sum += ok[i];
            }
            return sum / (ok.length - 1);
        }

        /**
         * When connect() had to scan: {seconds until the first parity's ports were held, slowest,
         * median and fastest connections per second after that until the range filled or the first
         * TIME_WAIT expiry}; null when the whole range filled within a second or two (no scan phase).
         */
        double[] scanPhase(int firstParity, int ports) {
            long cumulative = 0;
            int filled = -1;
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < ok.length; i++) {
                cumulative += (long) ok[i];
                if (filled < 0 && cumulative >= 0.98 * firstParity) {
                    filled = i;
                } else if (filled >= 0 && seconds[i] < TcpModel.TIME_WAIT_SECONDS - 1 && cumulative < 0.98 * ports) {
                    rates.add(ok[i]);
                }
            }
            if (filled < 0 || rates.size() < 2) {
                return null;
            }
            List<Double> sorted = rates.stream().sorted().toList();
            return new double[] {seconds[filled], sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)};
        }

        long noPortAfterFirstSecond() {
            long sum = 0;
            for (int i = 1; i < noPort.length; i++) {
                sum += (long) noPort[i];
            }
            return sum;
        }

        long lastTimeWait() {
            return timeWait.length == 0 ? 0 : (long) timeWait[timeWait.length - 1];
        }
    }
}
