package tcplab.experiment.serverside;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Agent;
import tcplab.experiment.AgentProcess;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Parameter;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.results.Stats;

/**
 * C9: a management port on its own thread keeps answering when the business threads are stuck; a
 * shared port does not.
 *
 * <p>The server has a bounded pool of business threads (and a bounded queue in front of it) and
 * stops accepting when both are full, as thread-per-request servers do; its business handler waits
 * on a downstream that hangs. Management requests ({@code HEALTH}) are answered either on the same
 * port by the same pool ({@code SHARED}) or on a port of their own by a thread of their own
 * ({@code SEPARATE}). A client probes the management port every 200 ms with a deadline, through
 * three phases: calm, business traffic with the downstream stuck, and the downstream recovered.
 * The server samples its pool, the accept queues of its listeners and the ListenOverflows and
 * ListenDrops counters.
 *
 * <p>The model: once workers + queue business requests are in, the shared port's new connections
 * wait in the kernel's accept queue, which holds backlog + 1 (sk_acceptq_is_full), and past that
 * their SYNs are dropped (ListenOverflows): management requests on it connect but get no answer, then
 * do not connect at all, until the downstream recovers. The separate port is never behind the
 * pool, so it keeps answering.
 */
public final class AdminPortExperiment extends Experiment {
    static final int BUSINESS_PORT = ServerProcess.PORT;
    static final int ADMIN_PORT = ServerProcess.PORT + 1;
    static final long PROBE_EVERY_MILLIS = 200;
    private static final String[] PROBES = {"at_ms", "outcome", "connect_us", "total_us", "detail"};
    private static final String[] LOAD = {"at_ms", "outcome", "connect_us"};
    private static final String[] SAMPLES = {"at_ms", "busy_workers", "queued", "business_accept_queue", "admin_accept_queue",
        "listen_overflows", "listen_drops"};
    private static final String[] EVENTS = {"event", "at_ms"};

    /** Where management requests are answered. */
    public enum Mode { SHARED, SEPARATE }

    @Override
    public String name() {
        return "admin-port";
    }

    @Override
    public String title() {
        return "A management port on its own threads, or on the business port";
    }

    @Override
    public List<String> claims() {
        return List.of("C9");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("mode", "SHARED: management on the business port and pool; SEPARATE: its own port and thread",
                        "SHARED", "SEPARATE"),
                Parameter.integer("workers", 4, 1, 256, "business threads"),
                Parameter.integer("queue", 8, 0, 10_000, "requests that may wait for a business thread"),
                Parameter.integer("backlog", 8, 1, 4096, "listen() backlog of both ports"),
                Parameter.integer("rate", 20, 1, 1000, "business requests per second while the downstream is stuck"),
                Parameter.integer("deadline", 1000, 50, 30_000, "milliseconds a management request may take"),
                Parameter.integer("calm", 2, 1, 600, "seconds of probing before the business traffic"),
                Parameter.integer("stuck", 6, 1, 600, "seconds of business traffic with the downstream stuck"),
                Parameter.integer("recover", 2, 1, 600, "seconds of probing after the downstream recovers"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofMillis((params.integer("calm") + params.integer("stuck") + params.integer("recover")) * 1000L + 500); // + two agent JVMs
    }

    @Override
    public void run(Trial trial) throws Exception {
        Params p = trial.params();
        try (RunFolder.CsvLog events = trial.rows("events", EVENTS)) {
            AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()));
            server.await("listening", Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await("probing", Duration.ofSeconds(30));
            events.row("calm", System.currentTimeMillis());
            trial.sleep(Duration.ofSeconds(p.integer("calm")));
            client.send("load-start");
            events.row("stuck", System.currentTimeMillis());
            trial.say("business traffic starts; the downstream is stuck");
            trial.sleep(Duration.ofSeconds(p.integer("stuck")));
            server.send("release");
            client.send("load-stop");
            events.row("recovered", System.currentTimeMillis());
            trial.say("the downstream recovers");
            trial.sleep(Duration.ofSeconds(p.integer("recover")));
            events.row("end", System.currentTimeMillis());
            client.send("exit");
            server.send("exit");
            client.waitFor(Duration.ofSeconds(15));
            server.waitFor(Duration.ofSeconds(15));
        }
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "server" -> server(agent);
            case "client" -> client(agent);
            default -> super.agent(agent);
        }
    }

    /**
     * The server: an acceptor that takes a connection only when a business thread or a queue slot
     * is free, the pool, the stuck downstream, and (SEPARATE) the management port's own thread.
     */
    private static void server(Agent agent) throws Exception {
        Params p = agent.params();
        Mode mode = p.choice("mode", Mode.class);
        int workers = p.integer("workers");
        int queue = p.integer("queue");
        int backlog = p.integer("backlog");
        String bind = p.get("bind");
        CountDownLatch downstream = new CountDownLatch(1);
        Semaphore slots = new Semaphore(workers + queue);
        // the semaphore is the limit; the queue has room for the moment a finished task's worker is not yet back
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue + workers));
        ServerSocket business = new ServerSocket();
        business.bind(new InetSocketAddress(bind, BUSINESS_PORT), backlog);
        ServerSocket admin = null;
        if (mode == Mode.SEPARATE) {
            admin = new ServerSocket();
            admin.bind(new InetSocketAddress(bind, ADMIN_PORT), backlog);
        }
        Thread acceptor = daemon("acceptor", () -> {
            while (!business.isClosed()) {
                try {
                    slots.acquire();
                    Socket s = business.accept();
                    pool.execute(() -> {
                        try (s) {
                            s.setSoTimeout((int) Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()));
                            String request = LineRequest.readLine(s.getInputStream());
                            if (request.equals("WORK")) {
                                downstream.await(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                                LineRequest.write(s.getOutputStream(), "DONE");
                            } else {
                                LineRequest.write(s.getOutputStream(), "OK");
                            }
                        } catch (IOException | InterruptedException ignored) {
                            // the client gave up; nothing to answer
                        } finally {
                            slots.release();
                        }
                    });
                } catch (IOException | InterruptedException e) {
                    slots.release();
                }
            }
        });
        ServerSocket adminSocket = admin;
        Thread adminThread = adminSocket == null ? null : daemon("admin", () -> {
            while (!adminSocket.isClosed()) {
                try (Socket s = adminSocket.accept()) {
                    s.setSoTimeout(2000);
                    LineRequest.readLine(s.getInputStream());
                    LineRequest.write(s.getOutputStream(), "OK");
                } catch (IOException ignored) {
                    // one bad management connection must not stop the others
                }
            }
        });
        acceptor.start();
        if (adminThread != null) {
            adminThread.start();
        }
        agent.signal("listening");
        Path net = Path.of("/proc/self/net");
        try (RunFolder.CsvLog samples = agent.rows("server", SAMPLES)) {
            while (!agent.expired()) {
                String command = agent.await("", Duration.ofMillis(100));
                if ("release".equals(command)) {
                    downstream.countDown();
                } else if ("exit".equals(command)) {
                    break;
                }
                Map<String, Long> mib = KernelCounters.mib(net);
                long businessQueue = -1;
                long adminQueue = -1;
                for (TcpSockets.Socket s : TcpSockets.read(net)) {
                    if (s.state().equals("LISTEN") && s.localPort() == BUSINESS_PORT) {
                        businessQueue = s.receiveQueue();
                    } else if (s.state().equals("LISTEN") && s.localPort() == ADMIN_PORT) {
                        adminQueue = s.receiveQueue();
                    }
                }
                samples.row(System.currentTimeMillis(), pool.getActiveCount(), pool.getQueue().size(), businessQueue,
                        adminQueue < 0 ? "" : adminQueue, mib.getOrDefault("TcpExt.ListenOverflows", 0L),
                        mib.getOrDefault("TcpExt.ListenDrops", 0L));
            }
        } finally {
            downstream.countDown();
            business.close();
            if (adminSocket != null) {
                adminSocket.close();
            }
            pool.shutdownNow();
        }
    }

    /** The client: management probes from the start; business requests (held open) between load-start and load-stop. */
    private static void client(Agent agent) throws Exception {
        Params p = agent.params();
        Mode mode = p.choice("mode", Mode.class);
        String host = p.get("host");
        InetSocketAddress adminTarget = new InetSocketAddress(host, mode == Mode.SHARED ? BUSINESS_PORT : ADMIN_PORT);
        InetSocketAddress businessTarget = new InetSocketAddress(host, BUSINESS_PORT);
        Duration deadline = Duration.ofMillis(p.integer("deadline"));
        ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
        // a request can wait up to the deadline; enough threads that waiting ones do not slow the schedule
        ExecutorService probers = Executors.newFixedThreadPool((int) (deadline.toMillis() / PROBE_EVERY_MILLIS) + 2);
        ExecutorService connectors = Executors.newFixedThreadPool(Math.min(64, p.integer("rate") * (p.integer("deadline") / 1000 + 1) + 1));
        try (RunFolder.CsvLog probes = agent.rows("probes", PROBES); RunFolder.CsvLog load = agent.rows("load", LOAD)) {
            ticks.scheduleAtFixedRate(() -> probers.execute(() -> {
                long start = System.currentTimeMillis();
                LineRequest.Result r = LineRequest.send(adminTarget, "HEALTH", deadline);
                row(probes, start, r.outcome(), r.connectMicros(), r.totalMicros(), r.outcome() == LineRequest.Outcome.ANSWERED ? "" : r.detail());
            }), 0, PROBE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            agent.signal("probing");
            ScheduledFuture<?> loading = null;
            while (!agent.expired()) {
                String command = agent.await("", Duration.ofSeconds(1));
                if ("load-start".equals(command)) {
                    loading = ticks.scheduleAtFixedRate(() -> connectors.execute(() -> business(businessTarget, deadline, held, load)),
                            0, 1_000_000 / p.integer("rate"), TimeUnit.MICROSECONDS);
                } else if ("load-stop".equals(command) && loading != null) {
                    loading.cancel(false);
                } else if ("exit".equals(command)) {
                    break;
                }
            }
            ticks.shutdownNow();
            for (ExecutorService pool : List.of(probers, connectors)) {
                pool.shutdown();
                pool.awaitTermination(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** One business request: connect, send WORK, keep the connection (the answer comes when the downstream recovers). */
    private static void business(InetSocketAddress target, Duration deadline, ConcurrentLinkedQueue<Socket> held, RunFolder.CsvLog load) {
        long start = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Socket s = new Socket();
        try {
            s.connect(target, (int) deadline.toMillis());
            LineRequest.write(s.getOutputStream(), "WORK");
            held.add(s);
            row(load, start, LineRequest.Outcome.NO_ANSWER, (System.nanoTime() - t0) / 1000);
        } catch (IOException e) {
            row(load, start, e instanceof SocketTimeoutException ? LineRequest.Outcome.CONNECT_TIMEOUT : LineRequest.Outcome.ERROR, -1);
            try {
                s.close();
            } catch (IOException ignored) {
                // already failed
            }
        }
    }

    private static synchronized void row(RunFolder.CsvLog log, Object... values) {
        try {
            log.row(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "tcplab-" + name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The phases of one configuration: calm; filling (the traffic has started but the pool cannot be
     * full yet, plus one deadline for requests already waiting); saturated; recovered.
     */
    static final List<String> PHASES = List.of("calm", "filling", "saturated", "recovered");

    /** Where each phase starts, and where the last one ends. */
    static long[] phaseBounds(Map<String, Long> events, double saturatesAfterSeconds, long deadlineMillis) {
        long stuck = events.get("stuck");
        long recovered = events.get("recovered");
        long saturated = Math.min(recovered, stuck + (long) (saturatesAfterSeconds * 1000) + deadlineMillis);
        return new long[] {events.get("calm"), stuck, saturated, recovered, events.get("end")};
    }

    /** The phase a time falls in, or null outside them all. */
    static String phase(long[] bounds, long at) {
        for (int i = 0; i < PHASES.size(); i++) {
            if (at >= bounds[i] && at < bounds[i + 1]) {
                return PHASES.get(i);
            }
        }
        return null;
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<String, double[][]> latency = Plots.series();
        Map<String, double[][]> queues = Plots.series();
        List<Double> marks = new ArrayList<>();
        StringBuilder table = new StringBuilder("| configuration | phase | probes | answered | connected, no answer | did not connect |"
                + " median answer | ListenOverflows |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Mode mode = p.choice("mode", Mode.class);
            if (!r.ok()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | | | |\n");
                continue;
            }
            Map<String, Long> events = new LinkedHashMap<>();
            data.rows(r, "events").forEach(e -> events.put(e.get("event"), Long.parseLong(e.get("at_ms"))));
            if (!events.containsKey("end")) {
                table.append("| ").append(r.label()).append(" | ended early | | | | | | |\n");
                continue;
            }
            long t0 = events.get("calm");
            long deadline = p.integer("deadline");
            double saturates = (p.integer("workers") + p.integer("queue")) / (double) p.integer("rate");
            long[] bounds = phaseBounds(events, saturates, deadline);
            // the estimate assumes the load arrives at its rate from the first moment; where the server's own samples show the
            // business accept queue filling later, saturation starts then (a probe before it may still get in and be answered)
            List<Map<String, String>> samples = data.rows(r, "server");
            long cap = Math.min(p.integer("backlog"), Long.parseLong(r.sysctls().getOrDefault("net.core.somaxconn", "4096"))) + 1;
            samples.stream().filter(x -> Long.parseLong(x.get("at_ms")) >= bounds[1] && Long.parseLong(x.get("business_accept_queue")) >= cap)
                    .mapToLong(x -> Long.parseLong(x.get("at_ms"))).min()
                    .ifPresent(full -> bounds[2] = Math.min(bounds[3], Math.max(bounds[2], full)));
            Map<String, int[]> byPhase = new LinkedHashMap<>();
            Map<String, List<Double>> answered = new LinkedHashMap<>();
            List<double[]> ok = new ArrayList<>();
            List<double[]> failed = new ArrayList<>();
            for (Map<String, String> probe : data.rows(r, "probes")) {
                long at = Long.parseLong(probe.get("at_ms"));
                String phase = phase(bounds, at);
                // a probe sent within one deadline of the recovery may be answered by it: it belongs to neither phase
                if (phase == null || phase.equals("saturated") && at > bounds[3] - deadline) {
                    continue;
                }
                LineRequest.Outcome o = LineRequest.Outcome.valueOf(probe.get("outcome"));
                int[] c = byPhase.computeIfAbsent(phase, k -> new int[4]);
                c[0]++;
                c[o == LineRequest.Outcome.ANSWERED ? 1 : o == LineRequest.Outcome.NO_ANSWER ? 2 : 3]++;
                double seconds = (at - t0) / 1000.0;
                if (o == LineRequest.Outcome.ANSWERED) {
                    double ms = Long.parseLong(probe.get("total_us")) / 1000.0;
                    answered.computeIfAbsent(phase, k -> new ArrayList<>()).add(ms);
                    ok.add(new double[] {seconds, ms});
                } else {
                    failed.add(new double[] {seconds, deadline});
                }
            }
            String name = mode == Mode.SHARED ? "shared port" : "separate port";
            latency.put(name + ": answered (ms)", Plots.xy(ok));
            latency.put(name + ": no answer within the deadline", Plots.xy(failed));
            queues.put(name + ": business port's accept queue", Plots.overTime(samples, t0, "business_accept_queue"));
            if (mode == Mode.SEPARATE) {
                queues.put(name + ": management port's accept queue", Plots.overTime(samples, t0, "admin_accept_queue"));
            }
            marks.add((events.get("stuck") - t0) / 1000.0);
            marks.add((events.get("recovered") - t0) / 1000.0);
            for (String phase : PHASES) {
                int[] c = byPhase.getOrDefault(phase, new int[4]);
                List<Double> ms = answered.getOrDefault(phase, List.of());
                table.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %s | %s |%n", r.label(), phase, c[0], c[1], c[2], c[3],
                        ms.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f ms", Stats.median(ms)), overflowsIn(samples, bounds, phase)));
            }
            Claim.Where conditions = data.where(r);
            int[] calm = byPhase.getOrDefault("calm", new int[4]);
            claims.add(rate(conditions.and("phase=calm"), calm, 1.0, "Nothing is stuck yet: every management request is answered"
                    + " whatever the port."));
            int[] sat = byPhase.getOrDefault("saturated", new int[4]);
            if (sat[0] == 0) {
                claims.add(Claim.skipped("C9", name(), conditions.and("phase=saturated"), ANSWERED,
                        "No probe fell after the pool filled: make 'stuck' longer than (workers + queue) / rate + the deadline."));
            } else if (mode == Mode.SHARED) {
                claims.add(rate(conditions.and("phase=saturated"), sat, 0.0, String.format(Locale.ROOT, "All %d business threads and %d queue"
                        + " slots hold stuck requests, so the acceptor stops: management connections wait in the accept queue (connected,"
                        + " no answer: %d) or, once it is full, their SYNs are dropped (did not connect: %d).", p.integer("workers"),
                        p.integer("queue"), sat[2], sat[3])));
            } else {
                claims.add(rate(conditions.and("phase=saturated"), sat, 1.0, "The management port has its own listener and thread, so the"
                        + " stuck business pool and its full accept queue do not reach it."));
            }
            long maxQueue = samples.stream().mapToLong(s -> Long.parseLong(s.get("business_accept_queue"))).max().orElse(-1);
            claims.add(Claim.check("C9", name(), conditions, Claim.Metric.of("max_business_accept_queue", "most connections seen waiting"
                    + " in the business port's accept queue", "connections"), Long.toString(cap), Long.toString(maxQueue), maxQueue == cap, "The accept queue is full only when it"
                            + " holds more than the backlog (sk_acceptq_is_full), so it holds backlog + 1 = " + cap + " connections; past"
                            + " that the listener drops SYNs and counts ListenOverflows. Sampled every 100 ms."));
        }
        StringBuilder md = new StringBuilder("The business handler waits on a downstream that hangs; the server stops accepting once its"
                + " threads and queue are full. A client asks the management endpoint for HEALTH every 200 ms, on the business port"
                + " (shared) or on a port with its own thread (separate), through three phases: calm, business traffic with the"
                + " downstream stuck, and the downstream recovered. 'filling' is the stretch after the traffic starts but before the"
                + " pool can be full (plus one deadline); 'saturated' is after it, up to one deadline before the downstream recovers"
                + " (a probe sent later may be answered by the recovery, so it counts in neither).\n\n");
        if (!latency.isEmpty()) {
            String title = "Management requests over time, profile " + data.profile();
            XYChart chart = Plots.points(title, "seconds since the first probe", "time to answer (ms)", latency, null);
            Plots.phaseLines(chart, marks);
            Plots.save(chart, data.charts(), "admin-port-probes");
            md.append(new Drawn("admin-port-probes", title, "Each management request: the time it took when answered, or a mark at"
                    + " the deadline when it was not. Vertical lines: the downstream gets stuck, then recovers.").markdown("charts"));
            String qTitle = "Accept queues over time, profile " + data.profile();
            XYChart q = Plots.lines(qTitle, "seconds since the first probe", "connections waiting to be accepted", queues, null);
            Plots.phaseLines(q, marks);
            Plots.save(q, data.charts(), "admin-port-accept-queues");
            md.append(new Drawn("admin-port-accept-queues", qTitle, "Connections the kernel completed but the server has not accepted,"
                    + " sampled every 100 ms; the queue holds at most backlog + 1.").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    private Claim rate(Claim.Where conditions, int[] counts, double model, String why) {
        double measured = counts[0] == 0 ? Double.NaN : (double) counts[1] / counts[0];
        // a probe lost to a scheduling hiccup is not a refutation; a port that answers at most 1 in 20 is not answering
        return Claim.between("C9", name(), conditions, ANSWERED, model, Math.round(measured * 1000) / 1000.0, model >= 1 ? 0.95 : 0,
                model >= 1 ? 1 : 0.05, why + String.format(Locale.ROOT, " %d of %d answered.", counts[1], counts[0]))
                .band(model >= 1 ? "at least 95 %: a probe lost to a scheduling hiccup is no refutation"
                        : "at most 5 %: a port that answers 1 in 20 is not answering");
    }

    static final Claim.Metric ANSWERED = Claim.Metric.of("management_answered_share", "share of management requests answered", "");

    /** ListenOverflows counted during a phase, from the server's samples; empty when no sample fell in it. */
    private static String overflowsIn(List<Map<String, String>> samples, long[] bounds, String phase) {
        int i = PHASES.indexOf(phase);
        Long first = null;
        Long last = null;
        for (Map<String, String> s : samples) {
            long at = Long.parseLong(s.get("at_ms"));
            long v = Long.parseLong(s.get("listen_overflows"));
            if (at < bounds[i] || first == null) {
                first = v;
            }
            if (at >= bounds[i] && at < bounds[i + 1]) {
                last = v;
            }
        }
        return last == null ? "" : Long.toString(last - first);
    }
}
