package tcplab.experiment.timeouts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.knowm.xchart.CategoryChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
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

/**
 * C10: a listener whose accept queue is full makes clients wait whole SYN retransmission timeouts
 * with tcp_abort_on_overflow = 0, and resets them with 1.
 *
 * <p>A server with a small backlog accepts slowly (one connection every {@code acceptEvery} ms);
 * a burst of clients connects at once. The client records each connect's latency and outcome; the
 * framework records the server host's ListenOverflows and ListenDrops.
 *
 * <p>The model (tcp_conn_request and tcp_check_req, net/ipv4/): the accept queue holds backlog + 1
 * connections. A SYN that finds it full is dropped (ListenOverflows), whatever
 * tcp_abort_on_overflow says; its client connects only when a retransmitted SYN finds room, so each
 * connect takes one of the SYN schedule's send times (0, 1, 2, 3, ... s), never anything in between.
 * A SYN that found room but whose handshake completes when the queue has filled meanwhile is the
 * only case tcp_abort_on_overflow decides: with 0 the final ACK is dropped and the client, which
 * already considers itself connected, waits for the server's retransmissions; with 1 the server
 * answers with a reset at once. With SYN cookies on (tcp_syncookies = 1, the default), a small
 * backlog's SYN queue overflows into cookies, and a cookie's final ACK into a full accept queue is
 * dropped without a reset even with 1: the plans show both.
 */
public final class AcceptOverflowExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    /** How close to a SYN send time a connect latency must be to count as "a whole number of timeouts". */
    static final double SLACK_SECONDS = 0.1;
    private static final String[] CONNECTS = {"client", "start_ms", "end_ms", "outcome", "error"};

    @Override
    public String name() {
        return "accept-overflow";
    }

    @Override
    public String title() {
        return "Accept queue overflow: dropped SYNs, or resets with tcp_abort_on_overflow";
    }

    @Override
    public List<String> claims() {
        return List.of("C10");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("backlog", 4, 1, 4096, "listen() backlog: the accept queue holds one more"),
                Parameter.integer("connections", 60, 2, 2000, "clients that connect at once"),
                Parameter.integer("acceptEvery", 200, 1, 60_000, "milliseconds between the server's accept() calls"),
                Parameter.integer("connectTimeout", 8000, 100, 600_000, "each client's connect timeout in ms"));
    }

    @Override
    public Duration expected(Params params) {
        long accepting = (long) params.integer("connections") * params.integer("acceptEvery");
        return Duration.ofMillis(Math.min(accepting, params.integer("connectTimeout")) + 1000); // + two agent JVMs
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
        server.await("listening", Duration.ofSeconds(30));
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
        server.send("exit");
        server.waitFor(Duration.ofSeconds(10));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        if (agent.role().equals("server")) {
            server(agent);
        } else if (agent.role().equals("client")) {
            client(agent);
        } else {
            super.agent(agent);
        }
    }

    /** The server: listen with a small backlog, accept one connection every so often, hold them. */
    private static void server(Agent agent) throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), PORT), agent.params().integer("backlog"));
            listener.setSoTimeout(100);
            agent.signal("listening");
            long every = agent.params().integer("acceptEvery");
            long next = System.currentTimeMillis();
            while (!agent.expired()) {
                if ("exit".equals(agent.await("exit", Duration.ofMillis(Math.max(1, next - System.currentTimeMillis()))))) {
                    break;
                }
                try {
                    held.add(listener.accept());
                } catch (SocketTimeoutException nobody) {
                    // nothing waiting; try again at the next turn
                }
                next += every;
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** The clients: all connect at once, each recording how long it took and how it ended. */
    private static void client(Agent agent) throws Exception {
        int n = agent.params().integer("connections");
        int timeout = agent.params().integer("connectTimeout");
        InetSocketAddress target = new InetSocketAddress(agent.params().get("host"), PORT);
        CountDownLatch go = new CountDownLatch(1);
        List<Socket> connected = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try (RunFolder.CsvLog rows = agent.rows("connects", CONNECTS)) {
            for (int i = 0; i < n; i++) {
                int client = i + 1;
                clients.execute(() -> {
                    Socket s = new Socket();
                    String outcome;
                    String error = "";
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long start = System.currentTimeMillis();
                    try {
                        s.connect(target, timeout);
                        outcome = "connected";
                        synchronized (connected) {
                            connected.add(s);
                        }
                    } catch (SocketTimeoutException e) {
                        outcome = "timeout";
                        error = e.getMessage();
                    } catch (ConnectException e) {
                        outcome = "refused";
                        error = e.getMessage();
                    } catch (SocketException e) {
                        outcome = String.valueOf(e.getMessage()).contains("reset") ? "reset" : "error";
                        error = e.getMessage();
                    } catch (IOException e) {
                        outcome = "error";
                        error = e.getMessage();
                    }
                    long end = System.currentTimeMillis();
                    synchronized (rows) {
                        try {
                            rows.row(client, start, end, outcome, error);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                });
            }
            Thread.sleep(200); // every thread waiting at the latch
            go.countDown();
            clients.shutdown();
            clients.awaitTermination(timeout + 5000L, TimeUnit.MILLISECONDS);
        } finally {
            synchronized (connected) {
                for (Socket s : connected) {
                    s.close();
                }
            }
        }
        agent.signal("done " + connected.size() + " of " + n + " connected");
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        List<String> buckets = new ArrayList<>();
        Map<String, Map<String, Integer>> byConfig = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| configuration | connected | reset or refused | timed out | connect latencies (s: clients) |"
                + " ListenOverflows | ListenDrops | SYN cookies sent |\n|---|---:|---:|---:|---|---:|---:|---:|\n");
        for (RunData.Result r : data.trials()) {
            List<Map<String, String>> rows = data.rows(r, "connects");
            if (!r.ok() || rows.isEmpty()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | | | |\n");
                continue;
            }
            Map<String, String> settings = r.sysctls();
            int abort = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_abort_on_overflow", "0").trim());
            TcpModel.SynSchedule schedule = TcpModel.synSchedule(Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_retries", "6").trim()),
                    Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_linear_timeouts", "0").trim()),
                    TcpModel.seconds(settings, "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS));
            int connected = 0;
            int reset = 0;
            int timedOut = 0;
            int onSchedule = 0;
            int resetsOnSchedule = 0;
            List<String> resetTimes = new ArrayList<>();
            TreeMap<Double, Integer> latencies = new TreeMap<>();
            for (Map<String, String> row : rows) {
                double seconds = (Long.parseLong(row.get("end_ms")) - Long.parseLong(row.get("start_ms"))) / 1000.0;
                switch (row.get("outcome")) {
                    case "connected" -> {
                        connected++;
                        double nearest = nearest(schedule.sendTimes(), seconds);
                        latencies.merge(nearest, 1, Integer::sum);
                        if (Math.abs(seconds - nearest) <= SLACK_SECONDS + nearest / 8) {
                            onSchedule++;
                        }
                    }
                    case "reset", "refused" -> {
                        reset++;
                        resetTimes.add(String.format(Locale.ROOT, "%.2f s", seconds));
                        double nearest = nearest(schedule.sendTimes(), seconds);
                        if (Math.abs(seconds - nearest) <= SLACK_SECONDS + nearest / 8) {
                            resetsOnSchedule++;
                        }
                    }
                    case "timeout" -> timedOut++;
                    default -> { }
                }
            }
            String label = "tcp_abort_on_overflow=" + abort + ", tcp_syncookies=" + settings.getOrDefault("net.ipv4.tcp_syncookies", "1").trim();
            Map<String, Integer> counts = new LinkedHashMap<>();
            latencies.forEach((s, c) -> counts.put(String.format(Locale.ROOT, "%.0f s", s), c));
            counts.keySet().forEach(b -> {
                if (!buckets.contains(b)) {
                    buckets.add(b);
                }
            });
            if (reset > 0) {
                counts.put("reset", reset);
                if (!buckets.contains("reset")) {
                    buckets.add("reset");
                }
            }
            byConfig.put(label + " " + r.path(), counts);
            List<String> spread = new ArrayList<>();
            latencies.forEach((s, c) -> spread.add(String.format(Locale.ROOT, "%.0f: %d", s, c)));
            long overflows = r.serverCounter("TcpExt.ListenOverflows", RunData.DELTA);
            long drops = r.serverCounter("TcpExt.ListenDrops", RunData.DELTA);
            table.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %d | %d | %d |%n", r.label(), connected, reset, timedOut,
                    String.join(", ", spread), overflows, drops, r.serverCounter("TcpExt.SyncookiesSent", RunData.DELTA)));

            Claim.Where conditions = data.where(r, "net.ipv4.tcp_abort_on_overflow", "net.ipv4.tcp_syncookies", "net.ipv4.tcp_syn_retries",
                    "net.ipv4.tcp_syn_linear_timeouts");
            claims.add(Claim.check("C10", name(), conditions, Claim.Metric.of("connects_on_syn_schedule", "connects that took a whole"
                    + " number of SYN timeouts", "connections"), Integer.toString(connected), Integer.toString(onSchedule), connected > 0 && onSchedule == connected, String.format(Locale.ROOT,
                            "A SYN that finds the accept queue full is dropped (ListenOverflows +%d here), so a client gets in only with a"
                                    + " retransmitted SYN: its connect takes one of the SYN send times %s (within %.1f s plus the timer's 1/8)."
                                    + " Latencies seen: %s.", overflows, Arrays.toString(schedule.sendTimes()), SLACK_SECONDS,
                            String.join(", ", spread))));
            if (abort == 0) {
                claims.add(Claim.check("C10", name(), conditions, Claim.Metric.of("connections_reset", "connections reset", "connections"),
                        "0", Integer.toString(reset), reset == 0, "With tcp_abort_on_overflow = 0 the server never resets: a SYN is dropped, and a final ACK that finds"
                                + " the queue full is dropped too (the client then waits for the server's SYN-ACK retransmission)."));
            } else {
                Claim resets = Claim.check("C10", name(), conditions, Claim.Metric.of("resets_on_completed_handshake", "connections reset,"
                        + " each as its handshake completed", ""), "resets only as a handshake completes", reset + (reset > 0 ? " reset (after "
                        + String.join(", ", resetTimes) + ")" : " reset this time"), resetsOnSchedule == reset, "With tcp_abort_on_overflow = 1 the"
                                + " server resets a connection whose final ACK finds the accept queue full, so that client learns at once, at"
                                + " the moment its handshake completes (one of the SYN send times). Whether that happens is a race: it takes a"
                                + " SYN that found room and an ACK that arrived after the queue filled. SYNs that find the queue full are still"
                                + " dropped, not reset, so most clients wait whole SYN timeouts as with 0. The folklore 'clients get a reset"
                                + " with 1' holds only for those few.");
                claims.add(reset > 0 ? resets : resets.shortOf("no handshake completed into a full queue this time, so the reset was not"
                        + " seen; the row tests only that nothing else was reset"));
            }
        }
        StringBuilder md = new StringBuilder("A server with a small backlog accepts one connection every so often while a burst of clients"
                + " connects at once. The model: the accept queue holds backlog + 1; a SYN that finds it full is dropped whatever"
                + " tcp_abort_on_overflow says, so connect() latencies come in whole SYN retransmission timeouts; only a handshake that"
                + " completes into a full queue is decided by tcp_abort_on_overflow: its final ACK dropped (0) or a reset (1). With SYN"
                + " cookies on (the default) the small SYN queue overflows into cookies, whose final ACKs into a full queue are dropped"
                + " without a reset even with 1; with cookies off the resets show.\n\n");
        if (!byConfig.isEmpty()) {
            String title = "How long connects took with a full accept queue, profile " + data.profile();
            CategoryChart chart = Plots.bars(title, "clients", false, 0, true);
            chart.getStyler().setXAxisLabelRotation(0);
            int i = 0;
            for (Map.Entry<String, Map<String, Integer>> e : byConfig.entrySet()) {
                List<Double> values = buckets.stream().map(b -> (double) e.getValue().getOrDefault(b, 0)).toList();
                chart.addSeries(e.getKey(), buckets, values).setFillColor(Plots.PALETTE[i++ % Plots.PALETTE.length]);
            }
            Plots.save(chart, data.charts(), "accept-overflow");
            md.append(new Drawn("accept-overflow", title, "Clients by connect latency, rounded to the nearest SYN send time, and clients"
                    + " reset, for each tcp_abort_on_overflow.").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    private static double nearest(double[] times, double value) {
        double best = times[0];
        for (double t : times) {
            if (Math.abs(t - value) < Math.abs(best - value)) {
                best = t;
            }
        }
        return best;
    }
}
