package tcplab.experiment.serverside.closewaitleak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ProcessUsage;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * C13: a passive closer that never calls close() leaves CLOSE_WAIT sockets that never time out,
 * and the server fails while CPU and memory look normal.
 *
 * <p>The server answers one request per connection and then waits for the client to close. The
 * {@code LEAKY} handler then forgets the connection without closing it; the {@code CORRECT} one
 * closes it. The server runs with a small descriptor limit (prlimit, for that process alone) and
 * an accept loop that backs off 100 ms after an error, as production servers do. The lab samples
 * the server's sockets by state, its open descriptors, CPU time and resident memory from outside
 * the process (a process out of descriptors cannot read its own /proc/self/fd), and the client's
 * sockets. The phases:
 * <ol>
 *   <li>{@code LEAKY} only: a few requests, then a wait until the client's side of them (FIN_WAIT_2,
 *       orphaned) has timed out, then a new connection from one of their source ports while the
 *       server still holds that connection in CLOSE_WAIT: what the running kernel does is recorded
 *       with the TCPChallengeACK and reset counters;</li>
 *   <li>traffic at a fixed rate: the leaky server runs out of descriptors, accept() fails with
 *       "Too many open files", connections wait in the accept queue (clients connected but
 *       unanswered) and then are not accepted at all (connect times out);</li>
 *   <li>no traffic: CLOSE_WAIT has no timer, so the count stays;</li>
 *   <li>the server closes what it leaked: the sockets go, descriptors come back, requests are
 *       answered again.</li>
 * </ol>
 */
public final class CloseWaitLeakExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    static final int EARLY = 5;
    static final int AFTER = 5;
    static final long SAMPLE_MILLIS = 200;
    static final long ACCEPT_BACKOFF_MILLIS = 100;
    static final int BACKLOG = 16;
    /** Generous for 2 jiffies (8 ms at HZ=250, 20 ms at HZ=100), far below the 1 s of the initial SYN timeout. */
    static final double QUICK_RESEND_SECONDS = 0.1;
    private static final String[] REQUESTS = {"phase", "at_ms", "outcome", "connect_us", "total_us", "local_port", "detail"};
    private static final String[] SAMPLES = {"at_ms", "server_close_wait", "server_established", "server_accept_queue", "server_fds",
        "server_cpu_ms", "server_rss_kb", "client_fin_wait2", "client_time_wait"};
    private static final String[] ACCEPT_ERRORS = {"at_ms", "error"};
    private static final String[] EVENTS = {"event", "at_ms"};
    private static final String[] RECONNECT = {"local_port", "outcome", "connect_us", "server_state_before", "TcpExt.TCPChallengeACK",
        "client Tcp.OutRsts", "server Tcp.EstabResets"};

    /** What the handler does when the client has closed. */
    public enum Handler { LEAKY, CORRECT }

    @Override
    public java.util.Map<String, String> commands() {
        return java.util.Map.of("prlimit", "util-linux"); // the server's small descriptor limit
    }

    @Override
    public String name() {
        return "close-wait-leak";
    }

    @Override
    public String title() {
        return "CLOSE_WAIT leak: a server that never closes";
    }

    @Override
    public List<String> claims() {
        return List.of("C13");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("handler", "LEAKY never closes after the client's FIN; CORRECT closes", "LEAKY", "CORRECT"),
                Parameter.integer("fdLimit", 128, 64, 65_536, "the server process's descriptor limit (RLIMIT_NOFILE)"),
                Parameter.integer("rate", 100, 1, 2000, "requests per second during the traffic phase"),
                Parameter.integer("traffic", 3, 1, 600, "seconds of traffic"),
                Parameter.integer("hold", 3, 1, 600, "seconds without traffic, watching CLOSE_WAIT stay"),
                Parameter.integer("deadline", 1000, 50, 30_000, "milliseconds a request may take"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        // the leaky run first waits for the client's FIN_WAIT_2 to time out (tcp_fin_timeout)
        long finTimeout = Long.parseLong(sysctls.getOrDefault("net.ipv4.tcp_fin_timeout", "60").trim());
        long early = params.get("handler").equals("LEAKY") ? finTimeout * 1000 + 500 : 0;
        return Duration.ofMillis(early + (params.integer("traffic") + params.integer("hold")) * 1000L + params.integer("deadline") + 2500);
    }

    @Override
    public void run(Trial trial) throws Exception {
        Params p = trial.params();
        Handler handler = p.choice("handler", Handler.class);
        int fdLimit = p.integer("fdLimit");
        try (RunFolder.CsvLog events = trial.rows("events", EVENTS); RunFolder.CsvLog samples = trial.rows("samples", SAMPLES)) {
            AgentProcess server = trial.agent(trial.lab().server(), "server", Map.of("bind", trial.serverAddress()),
                    List.of("prlimit", "--nofile=" + fdLimit + ":" + fdLimit));
            server.await("listening", Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await("ready", Duration.ofSeconds(30));
            Sampler sampler = new Sampler(trial, server.pid(), samples);
            events.row("start", System.currentTimeMillis());
            sampler.sample();
            if (handler == Handler.LEAKY) {
                reconnect(trial, client, sampler, events);
            }
            events.row("traffic", System.currentTimeMillis());
            client.send("traffic");
            sampler.until(() -> false, Duration.ofSeconds(p.integer("traffic")));
            sampler.until(() -> false, Duration.ofMillis(p.integer("deadline") + 200L)); // the last requests end
            events.row("hold", System.currentTimeMillis());
            trial.say("traffic over; watching the sockets for " + p.integer("hold") + " s");
            sampler.until(() -> false, Duration.ofSeconds(p.integer("hold")));
            events.row("close", System.currentTimeMillis());
            server.send("close-leaked");
            trial.say("server: " + server.await("closed", Duration.ofSeconds(10)));
            sampler.until(() -> false, Duration.ofSeconds(1));
            events.row("after", System.currentTimeMillis());
            client.send("after");
            client.await("after-done", Duration.ofSeconds(30));
            sampler.sample();
            events.row("end", System.currentTimeMillis());
            client.send("exit");
            server.send("exit");
            client.waitFor(Duration.ofSeconds(10));
            server.waitFor(Duration.ofSeconds(10));
        }
    }

    /**
     * A few requests whose client side is left to time out in FIN_WAIT_2 while the server holds
     * them in CLOSE_WAIT; then a new connection from one of their source ports.
     */
    private void reconnect(Trial trial, AgentProcess client, Sampler sampler, RunFolder.CsvLog events) throws Exception {
        client.send("early");
        String ports = client.await("early-done", Duration.ofSeconds(30));
        int port = Integer.parseInt(ports.split(",")[0]);
        events.row("early", System.currentTimeMillis());
        long finTimeout = Long.parseLong(trial.settings().getOrDefault("net.ipv4.tcp_fin_timeout", "60").trim());
        trial.say("waiting for the client's FIN_WAIT_2 to time out (tcp_fin_timeout " + finTimeout + " s)");
        sampler.until(() -> !clientHolds(trial, port), Duration.ofMillis(finTimeout * 1125 + 2000));
        Map<String, Long> serverBefore = KernelCounters.mib(trial.lab().server().procNet());
        Map<String, Long> clientBefore = KernelCounters.mib(trial.lab().client().procNet());
        String stateBefore = serverState(trial, port);
        events.row("reconnect", System.currentTimeMillis());
        client.send("reconnect " + port);
        String[] r = client.await("reconnected", Duration.ofSeconds(30)).split(" ");
        Map<String, Long> serverAfter = KernelCounters.mib(trial.lab().server().procNet());
        Map<String, Long> clientAfter = KernelCounters.mib(trial.lab().client().procNet());
        try (RunFolder.CsvLog rows = trial.rows("reconnect", RECONNECT)) {
            rows.row(port, r[0], r[1], stateBefore, delta(serverBefore, serverAfter, "TcpExt.TCPChallengeACK"),
                    delta(clientBefore, clientAfter, "Tcp.OutRsts"), delta(serverBefore, serverAfter, "Tcp.EstabResets"));
        }
        trial.say("reconnect from port " + port + " (server side was " + stateBefore + "): " + r[0] + " after " + Long.parseLong(r[1]) / 1000
                + " ms; challenge ACKs sent by the server: " + delta(serverBefore, serverAfter, "TcpExt.TCPChallengeACK"));
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    private static boolean clientHolds(Trial trial, int port) throws IOException {
        return !TcpSockets.countByState(trial.lab().client().procNet(), s -> s.localPort() == port && s.remotePort() == PORT).isEmpty();
    }

    private static String serverState(Trial trial, int clientPort) throws IOException {
        Map<String, Long> states = TcpSockets.countByState(trial.lab().server().procNet(),
                s -> s.localPort() == PORT && s.remotePort() == clientPort);
        return states.isEmpty() ? "none" : String.join("+", states.keySet());
    }

    /** Samples both hosts and the server process every 200 ms while the run side waits. */
    private static final class Sampler {
        private final Trial trial;
        private final long serverPid;
        private final RunFolder.CsvLog rows;

        Sampler(Trial trial, long serverPid, RunFolder.CsvLog rows) {
            this.trial = trial;
            this.serverPid = serverPid;
            this.rows = rows;
        }

        interface Condition {
            boolean met() throws IOException;
        }

        /** Samples until {@code done} or the time is up. */
        void until(Condition done, Duration most) throws IOException {
            long end = System.currentTimeMillis() + most.toMillis();
            while (System.currentTimeMillis() < end && !done.met() && trial.sleep(Duration.ofMillis(SAMPLE_MILLIS))) {
                sample();
            }
        }

        void sample() throws IOException {
            long closeWait = 0;
            long established = 0;
            long acceptQueue = 0;
            for (TcpSockets.Socket s : TcpSockets.read(trial.lab().server().procNet())) {
                if (s.localPort() != PORT) {
                    continue;
                }
                switch (s.state()) {
                    case "CLOSE_WAIT" -> closeWait++;
                    case "ESTABLISHED" -> established++;
                    case "LISTEN" -> acceptQueue = s.receiveQueue();
                    default -> { }
                }
            }
            Map<String, Long> client = TcpSockets.countByState(trial.lab().client().procNet(), s -> s.remotePort() == PORT);
            ProcessUsage usage;
            try {
                usage = ProcessUsage.read(serverPid);
            } catch (IOException gone) {
                usage = new ProcessUsage(-1, -1, -1, -1);
            }
            rows.row(System.currentTimeMillis(), closeWait, established, acceptQueue, usage.fds(), usage.cpuMillis(), usage.rssKb(),
                    client.getOrDefault("FIN_WAIT2", 0L), client.getOrDefault("TIME_WAIT", 0L));
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

    /** The server: answer one line per connection, then wait for the client's close; leak or close. */
    private static void server(Agent agent) throws Exception {
        boolean leaky = agent.params().choice("handler", Handler.class) == Handler.LEAKY;
        ConcurrentLinkedQueue<Socket> leaked = new ConcurrentLinkedQueue<>(); // held, as a real leak holds them (GC would close them)
        ExecutorService handlers = Executors.newFixedThreadPool(16);
        AtomicInteger errors = new AtomicInteger();
        try (RunFolder.CsvLog acceptErrors = agent.rows("accept-errors", ACCEPT_ERRORS);
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), PORT), BACKLOG);
            Thread acceptor = new Thread(() -> {
                while (listener.isOpen()) {
                    try {
                        SocketChannel channel = listener.accept();
                        handlers.execute(() -> handle(channel.socket(), leaky, leaked, agent.deadlineMillis()));
                    } catch (IOException e) {
                        if (!listener.isOpen()) {
                            return;
                        }
                        errors.incrementAndGet();
                        synchronized (acceptErrors) {
                            try {
                                acceptErrors.row(System.currentTimeMillis(), e.getMessage());
                            } catch (IOException ignored) {
                                // the count above still says it happened
                            }
                        }
                        pause(ACCEPT_BACKOFF_MILLIS); // without this the loop would spin a core on EMFILE
                    }
                }
            }, "tcplab-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            agent.signal("listening");
            while (!agent.expired()) {
                String command = agent.await("", Duration.ofSeconds(1));
                if ("close-leaked".equals(command)) {
                    int n = 0;
                    for (Socket s; (s = leaked.poll()) != null; n++) {
                        s.close();
                    }
                    agent.signal("closed " + n + " leaked connections; accept() had failed " + errors.get() + " times");
                } else if ("exit".equals(command)) {
                    break;
                }
            }
        } finally {
            handlers.shutdownNow();
        }
    }

    private static void handle(Socket socket, boolean leaky, ConcurrentLinkedQueue<Socket> leaked, long deadline) {
        try {
            socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            InputStream in = socket.getInputStream();
            LineRequest.readLine(in);
            LineRequest.write(socket.getOutputStream(), "OK");
            while (in.read() >= 0) {
                // wait for the client's FIN
            }
        } catch (IOException e) {
            // the client went away abruptly; what happens next is the same
        }
        if (leaky) {
            leaked.add(socket); // the bug: the client has closed, and this side never does
        } else {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all that was left to do
            }
        }
    }

    /** The client: requests in phases, on command. */
    private static void client(Agent agent) throws Exception {
        Params p = agent.params();
        InetSocketAddress target = new InetSocketAddress(p.get("host"), PORT);
        Duration deadline = Duration.ofMillis(p.integer("deadline"));
        try (RunFolder.CsvLog rows = agent.rows("requests", REQUESTS)) {
            agent.signal("ready");
            while (!agent.expired()) {
                String command = agent.await("", Duration.ofSeconds(1));
                if (command == null) {
                    continue;
                }
                if (command.equals("early")) {
                    List<String> ports = new ArrayList<>();
                    for (int i = 0; i < EARLY; i++) {
                        ports.add(Integer.toString(request(rows, "early", target, 0, deadline).localPort()));
                    }
                    agent.signal("early-done " + String.join(",", ports));
                } else if (command.startsWith("reconnect ")) {
                    int port = Integer.parseInt(command.substring(10).trim());
                    LineRequest.Result r = request(rows, "reconnect", target, port, Duration.ofSeconds(10));
                    agent.signal("reconnected " + r.outcome() + " " + r.connectMicros() + " " + r.totalMicros());
                } else if (command.equals("traffic")) {
                    traffic(agent, rows, target, deadline);
                } else if (command.equals("after")) {
                    for (int i = 0; i < AFTER; i++) {
                        request(rows, "after", target, 0, deadline);
                    }
                    agent.signal("after-done");
                } else if (command.equals("exit")) {
                    break;
                }
            }
        }
    }

    /** Requests at the given rate for the given time, each on its own thread so a hung one does not slow the rest. */
    private static void traffic(Agent agent, RunFolder.CsvLog rows, InetSocketAddress target, Duration deadline) throws InterruptedException {
        int rate = agent.params().integer("rate");
        long seconds = agent.params().integer("traffic");
        ExecutorService senders = Executors.newFixedThreadPool((int) Math.min(256, rate * (deadline.toMillis() / 1000 + 1) + 1));
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        ticks.scheduleAtFixedRate(() -> senders.execute(() -> request(rows, "traffic", target, 0, deadline)), 0, 1_000_000 / rate,
                TimeUnit.MICROSECONDS);
        Thread.sleep(seconds * 1000);
        ticks.shutdownNow();
        senders.shutdown();
        senders.awaitTermination(deadline.toMillis() + 5000, TimeUnit.MILLISECONDS);
        agent.say("traffic done");
    }

    private static LineRequest.Result request(RunFolder.CsvLog rows, String phase, InetSocketAddress target, int localPort, Duration deadline) {
        long at = System.currentTimeMillis();
        LineRequest.Result r = LineRequest.send(target, localPort, "HELLO", deadline);
        synchronized (rows) {
            try {
                rows.row(phase, at, r.outcome(), r.connectMicros(), r.totalMicros(), r.localPort(),
                        r.outcome() == LineRequest.Outcome.ANSWERED ? "" : r.detail());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return r;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One configuration's raw files, read back. */
    record Data(Map<String, Long> events, List<Map<String, String>> samples, List<Map<String, String>> requests,
                List<Map<String, String>> acceptErrors, List<Map<String, String>> reconnect) {
        long at(String event) {
            return events.getOrDefault(event, Long.MAX_VALUE);
        }

        /** The last sample taken before {@code time}, or null. */
        Map<String, String> sampleBefore(long time) {
            Map<String, String> last = null;
            for (Map<String, String> s : samples) {
                if (Long.parseLong(s.get("at_ms")) < time) {
                    last = s;
                }
            }
            return last;
        }

        long max(String column, long from, long to) {
            return samples.stream().filter(s -> between(s, from, to)).mapToLong(s -> Long.parseLong(s.get(column))).max().orElse(-1);
        }

        List<Map<String, String>> requests(String phase) {
            return requests.stream().filter(r -> r.get("phase").equals(phase)).toList();
        }

        private static boolean between(Map<String, String> row, long from, long to) {
            long at = Long.parseLong(row.get("at_ms"));
            return at >= from && at <= to;
        }
    }

    static Data read(ExperimentData data, RunData.Result r) throws IOException {
        Map<String, Long> events = new LinkedHashMap<>();
        data.rows(r, "events").forEach(e -> events.put(e.get("event"), Long.parseLong(e.get("at_ms"))));
        return new Data(events, data.rows(r, "samples"), data.rows(r, "requests"), data.rows(r, "accept-errors"), data.rows(r, "reconnect"));
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<String, double[][]> sockets = Plots.series();
        Map<String, double[][]> requests = Plots.series();
        List<Double> marks = new ArrayList<>();
        StringBuilder table = new StringBuilder("| configuration | requests answered (traffic) | connected, no answer | did not connect |"
                + " most CLOSE_WAIT | most descriptors / limit | accept() errors | server CPU while failing | server memory (RSS) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder reconnects = new StringBuilder();
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Handler handler = p.choice("handler", Handler.class);
            Data d = read(data, r);
            if (!r.ok() || !d.events().containsKey("end")) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | | | | |\n");
                continue;
            }
            long t0 = d.at("traffic"); // both handlers' phases line up from here
            int limit = p.integer("fdLimit");
            String who = handler == Handler.LEAKY ? "leaky" : "correct";
            sockets.put(who + ": server CLOSE_WAIT", Plots.overTime(d.samples(), t0, "server_close_wait"));
            sockets.put(who + ": server descriptors", Plots.overTime(d.samples(), t0, "server_fds"));
            sockets.put(who + ": client FIN_WAIT_2", Plots.overTime(d.samples(), t0, "client_fin_wait2"));
            List<double[]> ok = new ArrayList<>();
            List<double[]> failed = new ArrayList<>();
            for (Map<String, String> q : d.requests()) {
                double x = (Long.parseLong(q.get("at_ms")) - t0) / 1000.0;
                if (q.get("outcome").equals("ANSWERED")) {
                    ok.add(new double[] {x, Long.parseLong(q.get("total_us")) / 1000.0});
                } else {
                    failed.add(new double[] {x, p.integer("deadline")});
                }
            }
            requests.put(who + ": answered (ms)", Plots.xy(ok));
            requests.put(who + ": not answered within the deadline", Plots.xy(failed));
            for (String e : List.of("traffic", "hold", "close")) {
                marks.add((d.at(e) - t0) / 1000.0);
            }

            List<Map<String, String>> traffic = d.requests("traffic");
            long answered = count(traffic, "ANSWERED");
            long noAnswer = count(traffic, "NO_ANSWER");
            long maxCloseWait = d.max("server_close_wait", t0, d.at("close"));
            long maxFds = d.max("server_fds", t0, d.at("close"));
            long firstError = d.acceptErrors().isEmpty() ? -1 : Long.parseLong(d.acceptErrors().get(0).get("at_ms"));
            Map<String, String> failStart = firstError < 0 ? null : d.sampleBefore(firstError);
            Map<String, String> holdEnd = d.sampleBefore(d.at("close"));
            double cpu = Double.NaN;
            if (failStart != null && holdEnd != null) {
                double wall = Long.parseLong(holdEnd.get("at_ms")) - Long.parseLong(failStart.get("at_ms"));
                cpu = (Long.parseLong(holdEnd.get("server_cpu_ms")) - Long.parseLong(failStart.get("server_cpu_ms"))) / wall;
            }
            Map<String, String> first = d.samples().isEmpty() ? null : d.samples().get(0);
            String rss = first == null || holdEnd == null ? "" : String.format(Locale.ROOT, "%d → %d MB",
                    Long.parseLong(first.get("server_rss_kb")) / 1024, Long.parseLong(holdEnd.get("server_rss_kb")) / 1024);
            table.append(String.format(Locale.ROOT, "| %s | %d of %d | %d | %d | %d | %d / %d | %d | %s | %s |%n", r.label(), answered,
                    traffic.size(), noAnswer, traffic.size() - answered - noAnswer, maxCloseWait, maxFds, limit, d.acceptErrors().size(),
                    Double.isNaN(cpu) ? "" : String.format(Locale.ROOT, "%.1f%% of a core", 100 * cpu), rss));

            Claim.Where conditions = data.where(r, "net.ipv4.tcp_fin_timeout");
            if (handler == Handler.LEAKY) {
                leakyClaims(claims, conditions, p, d, maxFds, firstError, cpu);
                reconnects.append(reconnect(claims, conditions, d));
            } else {
                claims.add(Claim.between("C13", name(), conditions, Claim.Metric.of("requests_answered_share", "share of requests answered", ""),
                        1, traffic.isEmpty() ? Double.NaN : Math.round(1000.0 * answered / traffic.size()) / 1000.0, 0.95, 1, "The handler closes once the client has: no"
                                + " CLOSE_WAIT piles up (at most " + maxCloseWait + " at once, between the client's FIN and the close),"
                                + " descriptors stay at " + maxFds + " of " + limit + ".").band("at least 95 % answered"));
            }
        }
        StringBuilder md = new StringBuilder("A server answers one request per connection and waits for the client to close. The leaky"
                + " handler then never closes; the correct one does. The server process may open only a few descriptors"
                + " (prlimit), and its accept loop backs off 100 ms after an error. Phases: a few early requests (leaky only, for the"
                + " reconnect test), traffic, a quiet hold, then the server closes what it leaked. The lab reads the server's sockets,"
                + " descriptors, CPU time and memory from outside the process. CLOSE_WAIT also counts connections the server never"
                + " accepted whose clients gave up: they wait in the accept queue, closed by the client, until the server takes them.\n\n");
        if (!sockets.isEmpty()) {
            String title = "CLOSE_WAIT and descriptors over time, profile " + data.profile();
            XYChart chart = Plots.lines(title, "seconds since the traffic started", "sockets or descriptors", sockets, null);
            Plots.phaseLines(chart, marks);
            Plots.save(chart, data.charts(), "close-wait-leak-sockets");
            md.append(new Drawn("close-wait-leak-sockets", title, "Sampled every 200 ms. Vertical lines: traffic starts, traffic"
                    + " ends (the quiet hold), the server closes its leaked connections.").markdown("charts"));
            String rTitle = "Requests over time, profile " + data.profile();
            XYChart points = Plots.points(rTitle, "seconds since the traffic started", "time to answer (ms)", requests, null);
            Plots.phaseLines(points, marks);
            Plots.save(points, data.charts(), "close-wait-leak-requests");
            md.append(new Drawn("close-wait-leak-requests", rTitle, "Each request: its time to answer, or a mark at the deadline when it"
                    + " got none (connected but never accepted, or not connected at all).").markdown("charts"));
        }
        md.append(table).append("\n").append(reconnects);
        return new Section(name(), title(), md.toString(), claims);
    }

    private void leakyClaims(List<Claim> claims, Claim.Where conditions, Params p, Data d, long maxFds, long firstError, double cpu) {
        int limit = p.integer("fdLimit");
        Map<String, String> holdStart = d.sampleBefore(d.at("hold") + SAMPLE_MILLIS + 1);
        Map<String, String> holdEnd = d.sampleBefore(d.at("close"));
        if (holdStart != null && holdEnd != null) {
            long a = Long.parseLong(holdStart.get("server_close_wait"));
            long b = Long.parseLong(holdEnd.get("server_close_wait"));
            double seconds = (Long.parseLong(holdEnd.get("at_ms")) - Long.parseLong(holdStart.get("at_ms"))) / 1000.0;
            Claim held = Claim.check("C13", name(), conditions.and("phase=hold"), Claim.Metric.of("close_wait_after_hold",
                    "CLOSE_WAIT sockets after the quiet hold", "sockets"), Long.toString(a), Long.toString(b), a > 0 && a == b, String.format(Locale.ROOT, "CLOSE_WAIT has no timer: the kernel waits"
                            + " for the application to close. %d sockets at the start of a %.1f s hold without traffic, %d at its end,"
                            + " while the client's side of the same connections (FIN_WAIT_2) timed out after tcp_fin_timeout.", a, seconds, b));
            // "never" is a claim about every TCP timer: a hold past TIME_WAIT's 60 s and the default tcp_fin_timeout outlives them
            claims.add(seconds > TcpModel.TIME_WAIT_SECONDS + 3 ? held : held.shortOf(String.format(Locale.ROOT, "a %.1f s hold; past 63 s"
                    + " it would outlast TIME_WAIT and the default tcp_fin_timeout as well", seconds)));
        }
        long baseline = d.samples().isEmpty() ? 0 : Long.parseLong(d.samples().get(0).get("server_fds"));
        long sent = d.requests().size();
        if (sent < limit - baseline) {
            claims.add(Claim.skipped("C13", name(), conditions, MAX_FDS, String.format(Locale.ROOT,
                    "%d requests cannot use up %d free descriptors (%d of %d in use at the start): raise rate or traffic, or lower"
                            + " fdLimit.", sent, limit - baseline, baseline, limit)));
        } else {
            claims.add(Claim.check("C13", name(), conditions, MAX_FDS, Integer.toString(limit), Long.toString(maxFds), maxFds == limit, "Every leaked connection keeps its descriptor; accept()"
                            + " fails with EMFILE once all " + limit + " (RLIMIT_NOFILE) are in use."));
            String error = d.acceptErrors().isEmpty() ? "none" : d.acceptErrors().get(0).get("error");
            claims.add(Claim.check("C13", name(), conditions, Claim.Metric.of("accept_errors", "accept() errors", ""), "Too many open files",
                    d.acceptErrors().size() + " × " + error, !d.acceptErrors().isEmpty() && error.contains("Too many open files"), "Out of descriptors, accept()"
                    + " cannot take the next connection from the accept queue."));
        }
        if (firstError > 0) {
            // a request sent after accept() first failed (and its back-off) can only queue: nothing leaked is ever freed
            List<Map<String, String>> late = d.requests("traffic").stream()
                    .filter(q -> Long.parseLong(q.get("at_ms")) > firstError + ACCEPT_BACKOFF_MILLIS).toList();
            long answered = count(late, "ANSWERED");
            if (late.isEmpty()) {
                claims.add(Claim.skipped("C13", name(), conditions.and("phase=failing"), FAILING,
                        "The traffic ended before accept() failed: raise traffic or rate."));
            } else {
                claims.add(Claim.between("C13", name(), conditions.and("phase=failing"), FAILING, 0,
                        Math.round(1000.0 * answered / late.size()) / 1000.0, 0, 0.05,
                        String.format(Locale.ROOT, "Of %d requests sent after accept() first failed, %d connected but got no answer (they"
                                + " waited in the accept queue, which holds backlog + 1 = %d) and %d did not connect (the queue was full,"
                                + " SYNs dropped).", late.size(), count(late, "NO_ANSWER"), BACKLOG + 1,
                                late.size() - answered - count(late, "NO_ANSWER"))).band("at most 5 % answered"));
            }
            claims.add(Claim.check("C13", name(), conditions.and("phase=failing"), Claim.Metric.of("server_cpu_failing",
                    "server CPU while it fails", ""), "below 10% of a core", Double.isNaN(cpu) ? "" : String.format(Locale.ROOT,
                    "%.1f%% of a core", 100 * cpu), cpu < 0.10, "A server"
                            + " whose threads all wait uses almost no CPU: nothing in top or a CPU graph shows the failure. (The accept"
                            + " loop backs off 100 ms after an error; one that retried at once would spin a core instead.)"));
        }
        Map<String, String> afterClose = d.sampleBefore(d.at("after"));
        if (afterClose != null) {
            long left = Long.parseLong(afterClose.get("server_close_wait"));
            List<Map<String, String>> after = d.requests("after");
            long answered = count(after, "ANSWERED");
            claims.add(Claim.check("C13", name(), conditions.and("phase=closed"), Claim.Metric.of("close_wait_after_close",
                    "CLOSE_WAIT sockets once the server closed its leaked connections, and requests answered after", ""), "0 sockets; " + AFTER + " of " + AFTER + " answered", left + " sockets; "
                    + answered + " of " + after.size() + " answered", left == 0 && answered == after.size(), "Only close() (or the"
                    + " process exiting) ends CLOSE_WAIT: the socket sends its FIN and goes. With descriptors free again, accept() works."));
        }
    }

    static final Claim.Metric MAX_FDS = Claim.Metric.of("max_server_fds", "most open descriptors of the server", "descriptors");
    static final Claim.Metric FAILING = Claim.Metric.of("requests_answered_share_failing", "share of requests answered once accept() fails", "");

    /** What the kernel did with a SYN that matched a connection in CLOSE_WAIT, as a claim and a paragraph. */
    private String reconnect(List<Claim> claims, Claim.Where conditions, Data d) {
        if (d.reconnect().isEmpty()) {
            return "";
        }
        Map<String, String> r = d.reconnect().get(0);
        double seconds = Long.parseLong(r.get("connect_us")) / 1e6;
        long challenge = Long.parseLong(r.get("TcpExt.TCPChallengeACK"));
        long resets = Long.parseLong(r.get("client Tcp.OutRsts"));
        boolean answered = r.get("outcome").equals("ANSWERED");
        // RFC 5961 4.2 as Linux implements it (tcp_validate_incoming): a SYN on a synchronized connection gets a
        // challenge ACK. The client, in SYN_SENT, answers the unacceptable ACK with a RST that kills the stale
        // socket, and since 2020 (commit 9603d47bad46, "Reduce SYN resend delay if a suspicous ACK is received")
        // resends its SYN after TCP_TIMEOUT_MIN (2 jiffies) instead of the initial 1 s timeout.
        boolean agrees = answered && challenge >= 1 && seconds < QUICK_RESEND_SECONDS;
        claims.add(Claim.check("C13", name(), conditions.and("phase=reconnect"), Claim.Metric.of("reconnect_into_close_wait",
                        "new connection from a source port the server holds in CLOSE_WAIT", ""), "challenge ACK, the client resets and resends its SYN at once: connected within "
                        + (long) (QUICK_RESEND_SECONDS * 1000) + " ms",
                String.format(Locale.ROOT, "%s after %.3f s; %d challenge ACK, %d RST from the client", answered ? "connected" : r.get("outcome"),
                        seconds, challenge, resets), agrees, "Older write-ups say such a connect hangs, and kernels before 2020 took the"
                        + " initial 1 s SYN timeout. The server's socket was " + r.get("server_state_before") + "; the counters show what this"
                        + " kernel did."));
        String what = agrees
                ? " The SYN met the stale connection, which answered with a challenge ACK (RFC 5961); the client answered that with a"
                        + " RST, which removed the stale connection, and resent its SYN after the kernel's minimum timer (2 jiffies) rather"
                        + " than the initial 1 s, so the new connection found the listener at once."
                : " This is not the challenge-ACK sequence of recent kernels; see the counters and raw/*.reconnect.csv.";
        return String.format(Locale.ROOT, "**Reconnecting from a port held in CLOSE_WAIT.** The client's side of an early connection"
                + " timed out (FIN_WAIT_2, tcp_fin_timeout) while the server still held it (%s). A new connect() from the same source"
                + " port %s after %.3f s. The server sent %d challenge ACK(s) (TcpExt.TCPChallengeACK), the client %d reset(s)"
                + " (Tcp.OutRsts), and the server counted %d reset connection(s) (Tcp.EstabResets).%s%n%n", r.get("server_state_before"),
                answered ? "connected" : "ended " + r.get("outcome"), seconds, challenge, resets,
                Long.parseLong(r.get("server Tcp.EstabResets")), what);
    }

    private static long count(List<Map<String, String>> rows, String outcome) {
        return rows.stream().filter(q -> q.get("outcome").equals(outcome)).count();
    }
}
