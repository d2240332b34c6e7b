package tcplab.experiment.timeouts;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.net.ExtendedSocketOptions;
import org.knowm.xchart.CategoryChart;
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
import tcplab.kernel.TcpModel;
import tcplab.lab.Firewall;
import tcplab.lab.Processes;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * C11: TCP keepalive finds a peer whose host vanished, late with the kernel's defaults; it never
 * finds a peer process that hangs (its kernel still answers); an application heartbeat finds both.
 *
 * <p>A client holds four idle connections to a server, one per mechanism: none (the client just
 * waits in read()), keepalive with the kernel's settings, keepalive tuned per socket
 * (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), and an application heartbeat (a PING every so often,
 * the PONG expected within a deadline). Then the server fails one way: its host drops every packet
 * (nf_tables), its link goes down, its process is stopped (SIGSTOP) or killed (SIGKILL). The client
 * records when each mechanism noticed, within a bounded window.
 *
 * <p>The model: keepalive declares the connection dead {@link TcpModel#keepaliveDetectionSeconds}
 * after its last activity: idle time + probes × interval (7200 + 9 × 75 s = 2 h 11 min by
 * default). A stopped process's kernel still acknowledges the probes, so keepalive never fires; a
 * killed process's kernel closes the connection at once, so every mechanism sees it. A heartbeat
 * notices a missing PONG within its interval plus its deadline, whatever the fault.
 */
public final class DeadPeerExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    private static final String[] DETECTIONS = {"mechanism", "idle_since_ms", "fault_ms", "detected_ms", "how"};
    private static final String[] EVENTS = {"event", "at_ms"};

    /** How the server fails. */
    public enum Fault { DROP, LINK_DOWN, STOP, KILL }

    /** How the client could notice. */
    public enum Mechanism { NONE, KEEPALIVE_DEFAULT, KEEPALIVE_TUNED, HEARTBEAT }

    @Override
    public java.util.Map<String, String> commands() {
        return tcplab.lab.Firewall.NEEDS; // the fault: the server host drops packets
    }

    @Override
    public String name() {
        return "dead-peer";
    }

    @Override
    public String title() {
        return "Dead and hung peers: keepalive against an application heartbeat";
    }

    @Override
    public List<String> claims() {
        return List.of("C11");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("fault", "DROP: the server host drops every packet; LINK_DOWN: its link goes down; STOP: its process is"
                        + " stopped (SIGSTOP); KILL: its process is killed", "DROP", "LINK_DOWN", "STOP", "KILL"),
                Parameter.integer("keepIdle", 1, 1, 7200, "TCP_KEEPIDLE of the tuned socket, seconds"),
                Parameter.integer("keepInterval", 1, 1, 600, "TCP_KEEPINTVL of the tuned socket, seconds"),
                Parameter.integer("keepCount", 2, 1, 127, "TCP_KEEPCNT of the tuned socket"),
                Parameter.integer("heartbeat", 500, 50, 600_000, "milliseconds between the heartbeat's PINGs"),
                Parameter.integer("deadline", 1000, 50, 600_000, "milliseconds the heartbeat waits for a PONG"),
                Parameter.integer("window", 8, 1, 3600, "seconds after the fault the client keeps watching"));
    }

    @Override
    public Duration expected(Params params) {
        // + two agent JVMs; a killed peer is noticed at once, the other faults take the whole window
        return params.get("fault").equals("KILL") ? Duration.ofMillis(1800) : Duration.ofMillis(params.integer("window") * 1000L + 200);
    }

    @Override
    public void run(Trial trial) throws Exception {
        Fault fault = trial.params().choice("fault", Fault.class);
        try (RunFolder.CsvLog events = trial.rows("events", EVENTS)) {
            AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
            server.await("listening", Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await("ready", Duration.ofSeconds(30));
            trial.sleep(Duration.ofMillis(300));
            long at = System.currentTimeMillis();
            switch (fault) {
                case DROP -> {
                    Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "");
                    Firewall.drop(trial.serverHost(), Firewall.Hook.OUTPUT, "");
                }
                case LINK_DOWN -> trial.lab().setServerLink(false);
                case STOP -> Processes.run(List.of("kill", "-STOP", Long.toString(server.pid())), null, Duration.ofSeconds(5));
                case KILL -> server.close();
            }
            events.row("fault", at);
            trial.say("fault: " + fault + "; watching for " + trial.params().integer("window") + " s");
            client.send("fault " + at);
            trial.say("client: " + client.await("done", Duration.ofSeconds(trial.params().integer("window") + 30L)));
            client.waitFor(Duration.ofSeconds(10));
            if (fault == Fault.DROP) {
                events.row("dropped " + Firewall.dropped(trial.serverHost()), System.currentTimeMillis());
            }
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

    /** The server: answer PING with PONG on every connection, and hold them. */
    private static void server(Agent agent) throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), PORT), 16);
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        synchronized (held) {
                            held.add(s);
                        }
                        Thread reader = new Thread(() -> pong(s), "tcplab-pong");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "tcplab-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            agent.signal("listening");
            agent.await("exit", Duration.ofMillis(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis())));
        } finally {
            synchronized (held) {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static void pong(Socket s) {
        try {
            while (true) {
                LineRequest.readLine(s.getInputStream());
                LineRequest.write(s.getOutputStream(), "PONG");
            }
        } catch (IOException gone) {
            // the client closed, or the connection died
        }
    }

    /** The client: one idle connection per mechanism; note when each notices the fault. */
    private static void client(Agent agent) throws Exception {
        Params p = agent.params();
        InetSocketAddress target = new InetSocketAddress(p.get("host"), PORT);
        Map<Mechanism, Long> idleSince = new EnumMap<>(Mechanism.class);
        Map<Mechanism, String[]> detected = new ConcurrentHashMap<>();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (Mechanism m : Mechanism.values()) {
                Socket s = new Socket();
                if (m == Mechanism.KEEPALIVE_DEFAULT || m == Mechanism.KEEPALIVE_TUNED) {
                    s.setKeepAlive(true);
                }
                if (m == Mechanism.KEEPALIVE_TUNED) {
                    s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, p.integer("keepIdle"));
                    s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, p.integer("keepInterval"));
                    s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, p.integer("keepCount"));
                }
                s.connect(target, 5000);
                idleSince.put(m, System.currentTimeMillis());
                sockets.add(s);
                Thread watcher = new Thread(m == Mechanism.HEARTBEAT ? () -> heartbeat(s, p, detected)
                        : () -> waitInRead(s, m, detected), "tcplab-" + m);
                watcher.setDaemon(true);
                watcher.start();
            }
            agent.signal("ready");
            String command = agent.await("fault", Duration.ofMillis(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis())));
            long fault = command == null ? System.currentTimeMillis() : Long.parseLong(command.substring(6).trim());
            long until = fault + p.integer("window") * 1000L;
            while (detected.size() < Mechanism.values().length && System.currentTimeMillis() < until && !agent.expired()) {
                Thread.sleep(20);
            }
            try (RunFolder.CsvLog rows = agent.rows("detections", DETECTIONS)) {
                for (Mechanism m : Mechanism.values()) {
                    String[] d = detected.get(m);
                    rows.row(m, idleSince.get(m), fault, d == null ? "" : d[0], d == null ? "not detected" : d[1]);
                }
            }
            agent.signal("done " + detected.size() + " of " + Mechanism.values().length + " mechanisms noticed within "
                    + p.integer("window") + " s");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Blocks in read(); the connection's end (EOF, a reset, a timeout the kernel reports) is when this mechanism noticed. */
    private static void waitInRead(Socket s, Mechanism m, Map<Mechanism, String[]> detected) {
        String how;
        try {
            InputStream in = s.getInputStream();
            how = in.read() < 0 ? "end of stream (the peer closed)" : "unexpected data";
        } catch (IOException e) {
            how = String.valueOf(e.getMessage());
        }
        if (!s.isClosed()) {
            detected.putIfAbsent(m, new String[] {Long.toString(System.currentTimeMillis()), how});
        }
    }

    /** PING every interval; a PONG missing its deadline, or the connection ending, is when the heartbeat noticed. */
    private static void heartbeat(Socket s, Params p, Map<Mechanism, String[]> detected) {
        long every = p.integer("heartbeat");
        String how;
        try {
            s.setSoTimeout(p.integer("deadline"));
            while (true) {
                long sent = System.currentTimeMillis();
                LineRequest.write(s.getOutputStream(), "PING");
                LineRequest.readLine(s.getInputStream());
                Thread.sleep(Math.max(0, sent + every - System.currentTimeMillis()));
            }
        } catch (SocketTimeoutException e) {
            how = "no PONG within the deadline";
        } catch (IOException e) {
            how = String.valueOf(e.getMessage());
        } catch (InterruptedException e) {
            return;
        }
        if (!s.isClosed()) {
            detected.putIfAbsent(Mechanism.HEARTBEAT, new String[] {Long.toString(System.currentTimeMillis()), how});
        }
    }

    /** What a mechanism should do under a fault: detect within [low, high] seconds after the fault, or not at all (NaN). */
    record Expectation(double model, double low, double high, String why, String band) {
        Expectation(double model, double low, double high, String why) {
            this(model, low, high, why, "");
        }

        boolean detects() {
            return !Double.isNaN(model);
        }
    }

    static Expectation expectation(Fault fault, Mechanism m, Params p, Map<String, String> settings, double idleBeforeFault) {
        double every = p.integer("heartbeat") / 1000.0;
        double deadline = p.integer("deadline") / 1000.0;
        if (fault == Fault.KILL) {
            if (m == Mechanism.HEARTBEAT) {
                return new Expectation(every, 0, every + 0.2, "The killed process's kernel closed the connection; the next PING"
                        + " finds it closed.", "0 to the heartbeat interval + 0.2 s: the next PING finds the connection closed");
            }
            return new Expectation(0, 0, 0.2, "The killed process's kernel closed its sockets and sent a FIN: read() returns at once,"
                    + " whatever the mechanism.", "at once: 0 to 0.2 s");
        }
        if (m == Mechanism.HEARTBEAT) {
            return new Expectation(deadline, deadline - 0.05, every + deadline + 0.2, "A PING sent after the fault gets no PONG: the"
                    + " heartbeat notices within its interval plus its deadline.", "the deadline − 0.05 s to the heartbeat interval + the"
                    + " deadline + 0.2 s");
        }
        if (m == Mechanism.NONE) {
            return new Expectation(Double.NaN, 0, 0, "Nothing is sent on an idle connection, so nothing can fail: read() waits forever.");
        }
        if (fault == Fault.STOP) {
            return new Expectation(Double.NaN, 0, 0, "A stopped process's kernel still acknowledges the keepalive probes: keepalive"
                    + " sees a live peer.");
        }
        double time;
        double interval;
        int probes;
        if (m == Mechanism.KEEPALIVE_TUNED) {
            time = p.integer("keepIdle");
            interval = p.integer("keepInterval");
            probes = p.integer("keepCount");
        } else {
            time = Double.parseDouble(settings.getOrDefault("net.ipv4.tcp_keepalive_time", "7200").trim());
            interval = Double.parseDouble(settings.getOrDefault("net.ipv4.tcp_keepalive_intvl", "75").trim());
            probes = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_keepalive_probes", "9").trim());
        }
        double afterFault = TcpModel.keepaliveDetectionSeconds((int) time, (int) interval, probes) - idleBeforeFault;
        // LINK_DOWN takes the carrier from the client's own end too: a probe its device refuses is not counted
        // and is tried again TCP_RESOURCE_PROBE_INTERVAL (0.5 s) later (tcp_keepalive_timer); seen once as +0.54 s in CI
        double refused = fault == Fault.LINK_DOWN ? 0.5 : 0;
        return new Expectation(afterFault, afterFault - 0.1, afterFault * 1.125 + 0.3 + refused, String.format(Locale.ROOT,
                "Keepalive probes after %.0f s idle, then every %.0f s; %d unanswered probes end the connection: %.0f + %d × %.0f s after"
                        + " the last activity, %.1f s before the fault.%s", time, interval, probes, time, probes, interval, idleBeforeFault,
                refused > 0 ? " With the link down the client's own end has no carrier: a probe its device refuses is not counted and is"
                        + " sent again 0.5 s later (TCP_RESOURCE_PROBE_INTERVAL), so up to 0.5 s more is allowed." : ""),
                "model − 0.1 s to model + 1/8 of it + 0.3 s (a timer fires up to 1/8 of its delay late at these short delays)"
                        + (refused > 0 ? " + 0.5 s for a probe the carrier-less device refuses" : ""));
    }

    static final String[] KEEPALIVE_SYSCTLS = {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"};

    /** Conditions that apply to a mechanism's row: keepalive settings on the keepalive rows, the heartbeat's on its own. */
    static Claim.Where applying(Claim.Where where, Mechanism m) {
        return switch (m) {
            case NONE -> where.without("keepIdle", "keepInterval", "keepCount", "heartbeat", "deadline").without(KEEPALIVE_SYSCTLS);
            case KEEPALIVE_DEFAULT -> where.without("keepIdle", "keepInterval", "keepCount", "heartbeat", "deadline");
            case KEEPALIVE_TUNED -> where.without("heartbeat", "deadline").without(KEEPALIVE_SYSCTLS);
            case HEARTBEAT -> where.without("keepIdle", "keepInterval", "keepCount").without(KEEPALIVE_SYSCTLS);
        };
    }

    /** When a keepalive mechanism would end a connection, from its last activity: a window past it makes "never" a measurement. */
    private static double keepaliveHorizon(Mechanism m, Params p, Map<String, String> settings) {
        if (m == Mechanism.KEEPALIVE_TUNED) {
            return TcpModel.keepaliveDetectionSeconds(p.integer("keepIdle"), p.integer("keepInterval"), p.integer("keepCount"));
        }
        if (m == Mechanism.KEEPALIVE_DEFAULT) {
            return TcpModel.keepaliveDetectionSeconds(Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_keepalive_time", "7200").trim()),
                    Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_keepalive_intvl", "75").trim()),
                    Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_keepalive_probes", "9").trim()));
        }
        if (m == Mechanism.HEARTBEAT) {
            return p.integer("heartbeat") / 1000.0 + p.integer("deadline") / 1000.0;
        }
        return TcpModel.keepaliveDetectionSeconds(7200, 75, 9); // NONE has no timer: watch past the default keepalive's to call it never
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| fault | mechanism | model | noticed after | how |\n|---|---|---|---|---|\n");
        double window = 0;
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Fault fault = p.choice("fault", Fault.class);
            List<Map<String, String>> rows = data.rows(r, "detections");
            if (!r.ok() || rows.isEmpty()) {
                table.append("| ").append(fault).append(" | not measured: ").append(r.status()).append(" | | | |\n");
                continue;
            }
            window = Math.max(window, p.integer("window"));
            Map<String, Double> bars = new LinkedHashMap<>();
            for (Map<String, String> row : rows) {
                Mechanism m = Mechanism.valueOf(row.get("mechanism"));
                long faultAt = Long.parseLong(row.get("fault_ms"));
                double idle = (faultAt - Long.parseLong(row.get("idle_since_ms"))) / 1000.0;
                Expectation e = expectation(fault, m, p, r.sysctls(), idle);
                boolean noticed = !row.get("detected_ms").isEmpty();
                double after = noticed ? (Long.parseLong(row.get("detected_ms")) - faultAt) / 1000.0 : Double.NaN;
                bars.put(m.name(), noticed ? after : p.integer("window"));
                String modelText = e.detects() ? String.format(Locale.ROOT, "%.1f s", e.model()) : "never";
                String measured = noticed ? String.format(Locale.ROOT, "%.2f s", after)
                        : "not within " + p.integer("window") + " s";
                table.append("| ").append(fault).append(" | ").append(m).append(" | ").append(modelText).append(" | ").append(measured)
                        .append(" | ").append(row.get("how")).append(" |\n");
                Claim.Where conditions = applying(data.where(r, KEEPALIVE_SYSCTLS).and("mechanism=" + m), m);
                Claim.Metric metric = Claim.Metric.of("noticed_after_fault_s", "seconds from the fault until the client noticed", "s");
                int w = p.integer("window");
                if (e.detects() && e.high() > w) {
                    claims.add(Claim.skipped("C11", name(), conditions, metric, String.format(Locale.ROOT, "The model says %.1f s, past the"
                            + " %d s window: widen it, or scale the keepalive sysctls down.", e.model(), w)));
                } else if (e.detects()) {
                    Claim c = (noticed ? Claim.between("C11", name(), conditions, metric, Math.round(e.model() * 100) / 100.0,
                            Math.round(after * 100) / 100.0, e.low(), e.high(), e.why())
                            : Claim.check("C11", name(), conditions, metric, Claim.number(e.model()), measured, false, e.why()))
                            .band(e.band());
                    if (m == Mechanism.KEEPALIVE_DEFAULT && fault != Fault.KILL) { // a kill is seen at once at any keepalive setting
                        String scaled = TcpModel.scaledFromDefaults(r.sysctls(), KEEPALIVE_SYSCTLS);
                        c = c.scaled(scaled, scaled.isEmpty() ? "" : String.format(Locale.ROOT, "7200 + 9 × 75 = %.0f s",
                                TcpModel.keepaliveDetectionSeconds(7200, 75, 9)));
                    }
                    claims.add(c);
                } else {
                    // "never" seen within a window of a few seconds fits the model; it is no proof of never
                    double horizon = keepaliveHorizon(m, p, r.sysctls());
                    Claim c = Claim.check("C11", name(), conditions, metric, "never", measured, !noticed, e.why());
                    if (m == Mechanism.KEEPALIVE_DEFAULT) {
                        String scaled = TcpModel.scaledFromDefaults(r.sysctls(), KEEPALIVE_SYSCTLS);
                        c = c.scaled(scaled, "never");
                    }
                    claims.add(noticed || w > horizon ? c : c.shortOf(m == Mechanism.NONE ? String.format(Locale.ROOT, "'never' rests on"
                            + " a %d s window: with neither keepalive nor a heartbeat nothing is scheduled to notice, but the window shows"
                            + " only %d s of it", w, w) : String.format(Locale.ROOT, "'never' rests on a %d s window, shorter than the %.0f s"
                            + " this mechanism would need to act", w, horizon)));
                }
            }
            chart.put(fault.name(), bars);
        }
        StringBuilder md = new StringBuilder("A client holds four idle connections, one per mechanism, and the server fails one way. The"
                + " model: keepalive ends a connection idle time + probes × interval after its last activity (with the kernel's"
                + " defaults, 7200 + 9 × 75 s = 2 h 11 min: the plans scale the sysctls down to see it happen); a stopped process's"
                + " kernel still answers the probes, so keepalive never fires; a killed process's kernel closes the connection, so"
                + " every mechanism sees it at once; a heartbeat notices within its interval plus its deadline.\n\n");
        if (!chart.isEmpty()) {
            String title = "Time until a dead or hung peer is noticed, profile " + data.profile();
            CategoryChart bars = Plots.bars(title, "seconds after the fault (capped at the watch window: not noticed)", false, 0, true);
            bars.getStyler().setXAxisLabelRotation(0);
            List<String> mechanisms = List.of(Mechanism.values()).stream().map(Enum::name).toList();
            int i = 0;
            for (Map.Entry<String, Map<String, Double>> e : chart.entrySet()) {
                List<Double> values = mechanisms.stream().map(m -> e.getValue().getOrDefault(m, 0.0)).toList();
                bars.addSeries(e.getKey(), mechanisms, values).setFillColor(Plots.PALETTE[i++ % Plots.PALETTE.length]);
            }
            Plots.save(bars, data.charts(), "dead-peer");
            md.append(new Drawn("dead-peer", title, String.format(Locale.ROOT, "Seconds from the fault until each mechanism noticed, per"
                    + " fault; a bar at the window (%.0f s) means not noticed at all.", window)).markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }
}
