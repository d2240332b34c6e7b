package tcplab.experiment.serverside;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * C7: a restarted server fails with "Address already in use" without SO_REUSEADDR, and restarts at
 * once with it.
 *
 * <p>A real restart, with two processes. The old server listens with SO_REUSEADDR on or off and
 * accepts connections from a client; then it goes, leaving one of three things on its port:
 * <ul>
 *   <li>{@code TIME_WAIT}: it is killed (SIGKILL, a crash); the kernel closes its connections, so
 *       the server closed first, and the clients close on end of file: the server's side of each
 *       connection waits in TIME_WAIT for 60 s;</li>
 *   <li>{@code ESTABLISHED}: it closes its listener but keeps serving its open connections (a
 *       graceful drain, or a child process that inherited them);</li>
 *   <li>{@code NOTHING}: the clients close first, the server closes after them and exits.</li>
 * </ul>
 * A new process then binds the same port with SO_REUSEADDR set explicitly on or off, retrying every
 * 100 ms for {@code retry} seconds. Java turns SO_REUSEADDR on by default for server sockets on
 * Linux; the new process records what it found, and so does the run's metadata.
 *
 * <p>The model ({@link TcpModel#rebindAllowed}): with sockets left on the port, bind() succeeds
 * only when the new socket and the leftovers (which inherited the old listener's option) both have
 * SO_REUSEADDR. Otherwise it fails until the leftovers go: TIME_WAIT after 60 s, ESTABLISHED when
 * the old process closes them.
 */
public final class RestartRebindExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    static final long RETRY_EVERY_MILLIS = 100;
    private static final String[] ATTEMPTS = {"attempt", "at_ms", "outcome", "error"};
    private static final String[] EVENTS = {"event", "at_ms"};
    private static final String[] STATES = {"state", "sockets"};
    private static final String[] DEFAULTS = {"api", "so_reuseaddr"};

    /** What the old server leaves on its port. */
    public enum Leftover { TIME_WAIT, ESTABLISHED, NOTHING }

    @Override
    public String name() {
        return "restart-rebind";
    }

    @Override
    public String title() {
        return "Restarting a server: SO_REUSEADDR and \"Address already in use\"";
    }

    @Override
    public List<String> claims() {
        return List.of("C7");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("oldReuse", "SO_REUSEADDR on the old server's listener", "false", "true"),
                Parameter.choice("newReuse", "SO_REUSEADDR on the new server's listener", "false", "true"),
                Parameter.choice("leftover", "what the old server leaves on the port: TIME_WAIT (killed, so it closed first),"
                        + " ESTABLISHED (still draining its connections), NOTHING (clients closed first)", "TIME_WAIT", "ESTABLISHED", "NOTHING"),
                Parameter.integer("connections", 10, 1, 1000, "connections the old server holds"),
                Parameter.integer("retry", 3, 0, 120, "seconds the new server keeps retrying bind(); past 68 a TIME_WAIT leftover is seen to end"));
    }

    @Override
    public Duration expected(Params params) {
        boolean waits = !params.get("leftover").equals("NOTHING")
                && !TcpModel.rebindAllowed(bool(params, "oldReuse"), bool(params, "newReuse"), true);
        long retry = params.integer("retry");
        long waited = !waits ? 0 : params.get("leftover").equals("TIME_WAIT") ? Math.min(retry, TcpModel.TIME_WAIT_SECONDS + 1) : retry;
        return Duration.ofSeconds(1 + waited); // three short-lived JVMs, as measured
    }

    @Override
    public void run(Trial trial) throws Exception {
        Leftover leftover = trial.params().choice("leftover", Leftover.class);
        try (RunFolder.CsvLog events = trial.rows("events", EVENTS)) {
            AgentProcess old = trial.agent(trial.lab().server(), "old", Map.of("bind", trial.serverAddress()));
            old.await("listening", Duration.ofSeconds(30));
            AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
            client.await("connected", Duration.ofSeconds(30));
            old.await("accepted", Duration.ofSeconds(30));
            switch (leftover) {
                case TIME_WAIT -> {
                    client.send("close-on-eof");
                    events.row("old-killed", System.currentTimeMillis());
                    old.close(); // SIGKILL: the kernel closes its sockets, sending the FINs
                    client.await("closed", Duration.ofSeconds(10));
                }
                case ESTABLISHED -> {
                    old.send("drain");
                    old.await("drained", Duration.ofSeconds(10));
                    events.row("old-stopped-listening", System.currentTimeMillis());
                }
                case NOTHING -> {
                    client.send("close");
                    client.await("closed", Duration.ofSeconds(10));
                    old.send("exit");
                    old.waitFor(Duration.ofSeconds(10));
                    events.row("old-exited", System.currentTimeMillis());
                }
            }
            settle(trial, leftover);
            try (RunFolder.CsvLog states = trial.rows("leftover", STATES)) {
                for (Map.Entry<String, Long> e : portStates(trial).entrySet()) {
                    states.row(e.getKey(), e.getValue());
                }
            }
            trial.say("left on port " + PORT + ": " + TcpSockets.describe(portStates(trial)));
            events.row("new-started", System.currentTimeMillis());
            trial.agentUntilDone(trial.lab().server(), "new", Map.of("bind", trial.serverAddress()));
        }
    }

    /** Waits (at most 5 s) until the leftover is in place: the listener gone, the closes through. */
    private static void settle(Trial trial, Leftover leftover) throws IOException {
        long until = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < until && trial.sleep(Duration.ofMillis(20))) {
            Map<String, Long> states = portStates(trial);
            boolean settled = !states.containsKey("LISTEN") && switch (leftover) {
                case TIME_WAIT -> states.keySet().stream().allMatch("TIME_WAIT"::equals);
                case ESTABLISHED -> true;
                case NOTHING -> states.isEmpty();
            };
            if (settled) {
                return;
            }
        }
    }

    private static Map<String, Long> portStates(Trial trial) throws IOException {
        return TcpSockets.countByState(trial.lab().server().procNet(), s -> s.localPort() == PORT);
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "old" -> oldServer(agent);
            case "client" -> client(agent);
            case "new" -> newServer(agent);
            default -> super.agent(agent);
        }
    }

    /** The old server: listen, accept every connection, then drain or exit on command (or be killed). */
    private static void oldServer(Agent agent) throws Exception {
        int n = agent.params().integer("connections");
        List<SocketChannel> accepted = new ArrayList<>();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, bool(agent.params(), "oldReuse"));
        listener.bind(new InetSocketAddress(agent.params().get("bind"), PORT), n + 16);
        agent.signal("listening");
        for (int i = 0; i < n; i++) {
            accepted.add(listener.accept());
        }
        agent.signal("accepted");
        while (!agent.expired()) {
            String command = agent.await("", Duration.ofSeconds(1));
            if ("drain".equals(command)) {
                listener.close(); // keeps the accepted connections, as a draining server does
                agent.signal("drained");
            } else if ("exit".equals(command)) {
                break;
            }
        }
        for (SocketChannel c : accepted) {
            c.close();
        }
        listener.close();
    }

    /** The clients: connect, then close first, or close when the server's FIN arrives. */
    private static void client(Agent agent) throws Exception {
        int n = agent.params().integer("connections");
        Client client = new Client(Target.parse(agent.params().get("host") + ":" + PORT), false, -1, 5000);
        List<SocketChannel> connected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            connected.add(client.open());
        }
        agent.signal("connected");
        String command = agent.await("close", Duration.ofMillis(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis())));
        for (SocketChannel c : connected) {
            if ("close-on-eof".equals(command)) {
                client.awaitEof(c);
            }
            c.close();
        }
        agent.signal("closed");
    }

    /** The new server: record Java's defaults, then bind with the option set explicitly, retrying. */
    private static void newServer(Agent agent) throws Exception {
        try (RunFolder.CsvLog defaults = agent.rows("java-defaults", DEFAULTS);
             ServerSocket plain = new ServerSocket();
             ServerSocketChannel channel = ServerSocketChannel.open()) {
            defaults.row("ServerSocket", plain.getReuseAddress());
            defaults.row("ServerSocketChannel", channel.getOption(StandardSocketOptions.SO_REUSEADDR));
        }
        boolean reuse = bool(agent.params(), "newReuse");
        InetSocketAddress address = new InetSocketAddress(agent.params().get("bind"), PORT);
        long start = System.currentTimeMillis();
        long until = start + agent.params().integer("retry") * 1000L;
        int attempt = 0;
        try (RunFolder.CsvLog rows = agent.rows("attempts", ATTEMPTS)) {
            while (true) {
                attempt++;
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
                    listener.bind(address, 50);
                    rows.row(attempt, System.currentTimeMillis(), "bound", "");
                    agent.signal(String.format(Locale.ROOT, "done bound after %d ms (attempt %d)", System.currentTimeMillis() - start, attempt));
                    return;
                } catch (BindException e) {
                    rows.row(attempt, System.currentTimeMillis(), "failed", e.getMessage());
                    if (attempt == 1) {
                        agent.say("bind: " + e.getMessage() + "; retrying every " + RETRY_EVERY_MILLIS + " ms");
                    }
                }
                if (System.currentTimeMillis() + RETRY_EVERY_MILLIS > until || agent.expired()) {
                    agent.signal(String.format(Locale.ROOT, "done still failing after %d ms (%d attempts)", System.currentTimeMillis() - start, attempt));
                    return;
                }
                Thread.sleep(RETRY_EVERY_MILLIS);
            }
        }
    }

    private static boolean bool(Params params, String name) {
        return Boolean.parseBoolean(params.get(name));
    }

    /** One configuration's outcome, from its raw files. */
    record Outcome(boolean firstBound, String error, int attempts, double boundAfter, double windowSeconds, double sinceLeftover,
                   Map<String, Long> leftover, Map<String, Boolean> javaDefaults) {
        boolean bound() {
            return !Double.isNaN(boundAfter);
        }
    }

    static Outcome outcome(List<Map<String, String>> attempts, List<Map<String, String>> events, List<Map<String, String>> states,
                           List<Map<String, String>> defaults) {
        Map<String, Long> at = new LinkedHashMap<>();
        events.forEach(e -> at.put(e.get("event"), Long.parseLong(e.get("at_ms"))));
        // times count from the new server's first attempt, not from its JVM's start
        long started = attempts.isEmpty() ? at.getOrDefault("new-started", 0L) : Long.parseLong(attempts.get(0).get("at_ms"));
        long leftoverSince = at.entrySet().stream().filter(e -> e.getKey().startsWith("old-")).mapToLong(Map.Entry::getValue).findFirst()
                .orElse(started);
        double boundAfter = Double.NaN;
        long last = started;
        for (Map<String, String> a : attempts) {
            last = Long.parseLong(a.get("at_ms"));
            if (a.get("outcome").equals("bound")) {
                boundAfter = (last - started) / 1000.0;
            }
        }
        Map<String, Long> left = new LinkedHashMap<>();
        states.forEach(s -> left.put(s.get("state"), Long.parseLong(s.get("sockets"))));
        Map<String, Boolean> java = new LinkedHashMap<>();
        defaults.forEach(d -> java.put(d.get("api"), Boolean.parseBoolean(d.get("so_reuseaddr"))));
        Map<String, String> first = attempts.isEmpty() ? Map.of("outcome", "none", "error", "") : attempts.get(0);
        return new Outcome(first.get("outcome").equals("bound"), first.get("error"), attempts.size(), boundAfter, (last - started) / 1000.0,
                (started - leftoverSince) / 1000.0, left, java);
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Double> bound = new ArrayList<>();
        List<Double> failing = new ArrayList<>();
        Map<String, Boolean> javaDefaults = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| old SO_REUSEADDR | new SO_REUSEADDR | left on the port | model | first bind() | bound after |\n"
                + "|---|---|---|---|---|---|\n");
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            boolean oldReuse = bool(p, "oldReuse");
            boolean newReuse = bool(p, "newReuse");
            Leftover leftover = p.choice("leftover", Leftover.class);
            String row = "| " + oldReuse + " | " + newReuse + " | ";
            if (!r.ok()) {
                table.append(row).append(leftover).append(" | | not measured: ").append(r.status()).append(" | |\n");
                continue;
            }
            Outcome o = outcome(data.rows(r, "attempts"), data.rows(r, "events"), data.rows(r, "leftover"), data.rows(r, "java-defaults"));
            javaDefaults.putAll(o.javaDefaults());
            long leftSockets = o.leftover().entrySet().stream().filter(e -> !e.getKey().equals("LISTEN")).mapToLong(Map.Entry::getValue).sum();
            boolean allowed = TcpModel.rebindAllowed(oldReuse, newReuse, leftSockets > 0);
            String modelText = allowed ? "binds at once" : leftover == Leftover.TIME_WAIT ? "fails until TIME_WAIT ends (60 s)"
                    : "fails while the old process holds its connections";
            String first = o.firstBound() ? "bound" : "failed: " + o.error();
            String after = o.bound() ? (o.boundAfter() == 0 ? "at once" : String.format(Locale.ROOT, "%.2f s", o.boundAfter()))
                    : String.format(Locale.ROOT, "still failing after %.1f s (%d attempts)", o.windowSeconds(), o.attempts());
            table.append(row).append(TcpSockets.describe(o.leftover())).append(" | ").append(modelText).append(" | ").append(first)
                    .append(" | ").append(after).append(" |\n");
            labels.add("old " + onOff(oldReuse) + ", new " + onOff(newReuse) + ", " + leftover);
            bound.add(o.bound() ? o.boundAfter() : null);
            failing.add(o.bound() ? 0.0 : o.windowSeconds());

            Claim.Where conditions = data.where(r);
            String why = allowed
                    ? (leftSockets == 0 ? "Nothing was left on the port, so any bind() succeeds."
                            : "The leftover sockets inherited SO_REUSEADDR from the old listener and the new socket has it too: Linux lets"
                                    + " them share the port (only another listener would conflict).")
                    : "Sockets were left on the port and " + (!oldReuse && !newReuse
                            ? "neither the old listener (whose connections inherited its options) nor the new socket had SO_REUSEADDR"
                            : !oldReuse ? "the old listener (whose connections inherited its options) lacked SO_REUSEADDR"
                            : "the new socket lacked SO_REUSEADDR") + "; Linux needs it on both, so bind() fails with EADDRINUSE.";
            claims.add(Claim.check("C7", name(), conditions, FIRST_BIND, allowed ? "bound" : "Address already in use",
                    o.firstBound() ? "bound" : o.error(), o.firstBound() == allowed, why));
            if (!allowed) {
                claims.add(retryClaim(conditions, leftover, o, data.hz(), data.hzText()));
            }
        }
        StringBuilder md = new StringBuilder("An old server holds connections, then goes: killed (its connections end in TIME_WAIT on the"
                + " server's side, as it closed first), still draining its connections after closing its listener (ESTABLISHED), or"
                + " after its clients closed first (nothing left). A new process binds the same port at once, with SO_REUSEADDR set"
                + " explicitly, retrying every 100 ms. The model: Linux allows the bind only when the leftover sockets (which inherit"
                + " the old listener's option) and the new socket both have SO_REUSEADDR.\n\n");
        if (!javaDefaults.isEmpty()) {
            md.append("Java's default, as the new process found it: ");
            List<String> parts = new ArrayList<>();
            javaDefaults.forEach((api, on) -> parts.add(api + " SO_REUSEADDR " + onOff(on)));
            md.append(String.join(", ", parts)).append(". A Java server that never touches the option therefore restarts at once on"
                    + " Linux; a server in C, or one that turns it off, does not. (The run's metadata.json records the same defaults.)\n\n");
        }
        if (!labels.isEmpty()) {
            String title = "Time until a restarted server could bind, profile " + data.profile();
            CategoryChart chart = Plots.bars(title, "seconds since the new server's first bind()", false, 0, false);
            chart.addSeries("bound after", labels, bound).setFillColor(Plots.PALETTE[2]);
            chart.addSeries("still failing when the retry window ended", labels, failing).setFillColor(Plots.PALETTE[5]);
            CategorySeries atOnce = chart.addSeries("bound at the first attempt", labels, bound.stream()
                    .map(b -> b != null && b == 0 ? 0.0 : null).toList());
            atOnce.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            atOnce.setMarker(SeriesMarkers.CIRCLE);
            atOnce.setMarkerColor(Plots.PALETTE[2]);
            chart.getStyler().setXAxisLabelRotation(30);
            Plots.save(chart, data.charts(), "restart-rebind");
            md.append(new Drawn("restart-rebind", title, "Green: the new server bound after this long (a dot: at its first attempt). Orange:"
                    + " bind() still failed with EADDRINUSE when the retry window ended. SO_REUSEADDR on the old listener and the new one.")
                    .markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    /** Where the model says bind() fails: how long it kept failing. */
    private Claim retryClaim(Claim.Where conditions, Leftover leftover, Outcome o, int hz, String hzText) {
        double granule = TcpModel.timerGranuleSeconds(TcpModel.TIME_WAIT_SECONDS, hz);
        if (leftover == Leftover.TIME_WAIT && o.bound()) {
            // TIME_WAIT began just after the old process died; its 60 s timer fires up to one timer-wheel
            // granule late, and the new server retries every 100 ms (+ 0.5 s for the old process's death to land).
            double since = o.sinceLeftover() + o.boundAfter();
            double high = TcpModel.TIME_WAIT_SECONDS + granule + RETRY_EVERY_MILLIS / 1000.0 + 0.5;
            return Claim.between("C7", name(), conditions, BOUND_AFTER, TcpModel.TIME_WAIT_SECONDS, Math.round(since * 100) / 100.0,
                    TcpModel.TIME_WAIT_SECONDS, high,
                    String.format(Locale.ROOT, "The server's side of each connection waited in TIME_WAIT (60 s, TCP_TIMEWAIT_LEN) and"
                            + " held the port; bind() succeeded once the last one was gone, %.2f s after the old process died (the model"
                            + " allows 60 to %.1f s: the 60 s timer fires up to %.3f s late at %s).", since, high, granule, hzText))
                    .band(String.format(Locale.ROOT, "timer-wheel granule %.3f s + the 100 ms retry + 0.5 s", granule));
        }
        double window = o.windowSeconds();
        boolean longEnough = leftover == Leftover.TIME_WAIT && window > TcpModel.TIME_WAIT_SECONDS + granule + 1;
        String model = leftover == Leftover.TIME_WAIT ? "fails for 60 s" : "fails while the connections stay open";
        String why = leftover == Leftover.TIME_WAIT
                ? (longEnough ? "TIME_WAIT should have ended within the window, yet bind() kept failing."
                        : String.format(Locale.ROOT, "TIME_WAIT lasts 60 s, longer than this %.1f s retry window (set retry above 68 s to see"
                                + " it end).", window))
                : "The old process still holds ESTABLISHED connections on the port, so bind() fails for as long as it keeps them.";
        Claim c = Claim.check("C7", name(), conditions, KEEPS_FAILING, model,
                o.bound() ? String.format(Locale.ROOT, "bound after %.2f s", o.boundAfter())
                        : String.format(Locale.ROOT, "failed for %.1f s (%d attempts)", window, o.attempts()),
                !o.bound() && !longEnough, why);
        return leftover == Leftover.TIME_WAIT && !o.bound() ? c.shortOf(String.format(Locale.ROOT,
                "retried for %.1f s of TIME_WAIT's 60 s, so its end was not seen", window)) : c;
    }

    static final Claim.Metric FIRST_BIND = Claim.Metric.of("first_bind", "first bind() of the new server", "");
    static final Claim.Metric KEEPS_FAILING = Claim.Metric.of("bind_keeps_failing", "bind() keeps failing while retried", "");
    static final Claim.Metric BOUND_AFTER = Claim.Metric.of("bind_succeeds_after_death_s", "bind() succeeds this long after the old"
            + " process died", "s");

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
