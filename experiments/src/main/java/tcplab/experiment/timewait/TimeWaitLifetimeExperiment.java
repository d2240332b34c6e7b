package tcplab.experiment.timewait;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import tcplab.kernel.TcpSockets;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.results.Stats;
import tcplab.server.ClosePolicy;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * C2: TIME_WAIT lasts 60 s on Linux, and tcp_fin_timeout does not change it; tcp_fin_timeout governs
 * FIN_WAIT_2 instead.
 *
 * <p>The client closes connections first, half of them to a server that then closes too (the
 * client ends in TIME_WAIT), half to one that never closes (the client waits in FIN_WAIT_2, with
 * nobody holding the socket). The lab watches the client host's socket table every 100 ms and
 * records, per socket, when it was closed, the state and kernel timer it was first seen with, and
 * when it left the table.
 *
 * <p>The model: TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, fixed at compile time; an orphaned socket
 * in FIN_WAIT_2 is dropped after tcp_fin_timeout seconds. A socket watched until it leaves is
 * measured by observation; one that outlives the watch is measured by the kernel's own timer
 * (time already spent plus the timer it still shows), and the report says which.
 */
public final class TimeWaitLifetimeExperiment extends Experiment {
    static final int HOLD_PORT = ServerProcess.PORT + 1;
    /** How often the socket table is read, and so how late an end can be seen. */
    static final double POLL_SECONDS = 0.15;
    private static final String[] CLOSED = {"local_port", "remote_port", "kind", "closed_ms"};
    private static final String[] OBSERVED = {"local_port", "remote_port", "event", "at_ms", "state", "timer_ms"};

    @Override
    public String name() {
        return "time-wait-lifetime";
    }

    @Override
    public String title() {
        return "TIME_WAIT lifetime, and what tcp_fin_timeout governs";
    }

    @Override
    public List<String> claims() {
        return List.of("C2");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("sockets", 10, 1, 2000, "connections closed into each of TIME_WAIT and FIN_WAIT_2"),
                Parameter.integer("watch", 70, 1, 600, "seconds to watch the socket table; past 60 every TIME_WAIT socket is seen to leave"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofMillis(params.integer("watch") * 1000L + 300); // + two servers and an agent, as measured
    }

    @Override
    public void run(Trial trial) throws Exception {
        ServerProcess closes = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        ServerProcess holds = trial.server(ClosePolicy.HOLD_OPEN, "holding-server", List.of(HOLD_PORT));
        AgentProcess client = trial.agent(trial.lab().client(), "client",
                Map.of("target", closes.address(), "holdTarget", holds.address()));
        client.await("closed", Duration.ofSeconds(60));
        watch(trial, trial.params().integer("watch"));
        client.waitFor(Duration.ofSeconds(10));
    }

    /** Polls the client host's socket table, recording each tracked socket's first sighting and its end. */
    private void watch(Trial trial, int seconds) throws IOException {
        List<Map<String, String>> closed = trial.read("closed"); // written by the agent: which sockets to follow
        Map<String, String> state = new HashMap<>();
        long end = System.currentTimeMillis() + seconds * 1000L;
        try (RunFolder.CsvLog rows = trial.rows("observed", OBSERVED)) {
            while (!trial.aborted()) {
                long now = System.currentTimeMillis();
                Map<String, TcpSockets.Socket> present = new HashMap<>();
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    present.put(s.localPort() + ":" + s.remotePort(), s);
                }
                int left = 0;
                for (Map<String, String> c : closed) {
                    String key = c.get("local_port") + ":" + c.get("remote_port");
                    TcpSockets.Socket s = present.get(key);
                    String was = state.get(key);
                    if (s != null && !s.state().equals(was) && !"gone".equals(was)) {
                        rows.row(c.get("local_port"), c.get("remote_port"), "seen", now, s.state(), s.timerMillis());
                        state.put(key, s.state());
                    } else if (s == null && was != null && !"gone".equals(was)) {
                        rows.row(c.get("local_port"), c.get("remote_port"), "gone", now, was, "");
                        state.put(key, "gone");
                    }
                    if (!"gone".equals(state.get(key))) {
                        left++;
                    }
                }
                if (left == 0 || now >= end) {
                    trial.say(left == 0 ? "every socket has left the table" : left + " sockets still there after " + seconds + " s");
                    break;
                }
                trial.sleep(Duration.ofMillis(100)); // POLL_SECONDS allows for this and the read itself
            }
        }
    }

    /** The client: connect to both servers, then close everything at once and say when. */
    @Override
    public void agent(Agent agent) throws Exception {
        int n = agent.params().integer("sockets");
        Client toCloser = new Client(Target.parse(agent.params().get("target")), false, -1, 5000);
        Client toHolder = new Client(Target.parse(agent.params().get("holdTarget")), false, -1, 5000);
        List<SocketChannel> timeWait = new ArrayList<>();
        List<SocketChannel> finWait = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            timeWait.add(toCloser.open());
            finWait.add(toHolder.open());
        }
        try (RunFolder.CsvLog rows = agent.rows("closed", CLOSED)) {
            close(timeWait, "TIME_WAIT", rows);
            close(finWait, "FIN_WAIT2", rows);
        }
        agent.say("closed " + n + " connections into TIME_WAIT and " + n + " into FIN_WAIT_2");
        agent.signal("closed");
    }

    private static void close(List<SocketChannel> channels, String kind, RunFolder.CsvLog rows) throws IOException {
        for (SocketChannel channel : channels) {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            channel.close();
            rows.row(local.getPort(), remote.getPort(), kind, System.currentTimeMillis());
        }
    }

    /** One socket's life, from its raw rows. */
    record Life(String kind, double seconds, boolean observed) {
    }

    static List<Life> lives(List<Map<String, String>> closed, List<Map<String, String>> observed) {
        Map<String, Map<String, String>> first = new LinkedHashMap<>();
        Map<String, Long> gone = new HashMap<>();
        for (Map<String, String> o : observed) {
            String key = o.get("local_port") + ":" + o.get("remote_port");
            if (o.get("event").equals("seen")) {
                first.putIfAbsent(key, o);
            } else if (o.get("event").equals("gone")) {
                gone.put(key, Long.parseLong(o.get("at_ms")));
            }
        }
        List<Life> lives = new ArrayList<>();
        for (Map<String, String> c : closed) {
            String key = c.get("local_port") + ":" + c.get("remote_port");
            long closedAt = Long.parseLong(c.get("closed_ms"));
            Map<String, String> seen = first.get(key);
            if (gone.containsKey(key)) {
                lives.add(new Life(c.get("kind"), (gone.get(key) - closedAt) / 1000.0, true));
            } else if (seen != null && !seen.get("timer_ms").isEmpty()) {
                double spent = Long.parseLong(seen.get("at_ms")) - closedAt;
                lives.add(new Life(c.get("kind"), (spent + Long.parseLong(seen.get("timer_ms"))) / 1000.0, false));
            }
        }
        return lives;
    }

    private static String method(boolean observed) {
        return observed ? "Measured by watching each socket leave the socket table"
                : "Measured by the kernel's own timer (the time already spent plus the time its timer still showed), because the"
                        + " sockets outlived the watch";
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Double> measured = new ArrayList<>();
        List<Double> model = new ArrayList<>();
        StringBuilder table = new StringBuilder("| configuration | state | sockets | lifetime min / median / max | measured by | model |\n"
                + "|---|---|---:|---|---|---:|\n");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | |\n");
                continue;
            }
            List<Life> lives = lives(data.rows(r, "closed"), data.rows(r, "observed"));
            double finTimeout = Double.parseDouble(r.sysctls().getOrDefault("net.ipv4.tcp_fin_timeout", "60"));
            for (String kind : List.of("TIME_WAIT", "FIN_WAIT2")) {
                List<Life> these = lives.stream().filter(l -> l.kind().equals(kind)).toList();
                if (these.isEmpty()) {
                    continue;
                }
                List<Double> seconds = these.stream().map(Life::seconds).toList();
                boolean observed = these.stream().allMatch(Life::observed);
                double expected = kind.equals("TIME_WAIT") ? TcpModel.TIME_WAIT_SECONDS : finTimeout;
                double med = Stats.median(seconds);
                String by = observed ? "observation" : "kernel timer";
                labels.add(kind + " fin_timeout=" + (long) finTimeout + " " + r.path());
                measured.add(med);
                model.add(expected);
                table.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f / %.1f / %.1f s | %s | %.0f s |%n", r.label(), kind, these.size(),
                        seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN), med,
                        seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), by, expected));
                Claim.Where conditions = data.where(r, "net.ipv4.tcp_fin_timeout").and("state=" + kind);
                String why = kind.equals("TIME_WAIT")
                        ? String.format(Locale.ROOT, "TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, compiled into the kernel; tcp_fin_timeout (%.0f s"
                                + " here) does not enter into it. %s, over %d sockets; the socket table is polled every 100 ms and the kernel"
                                + " shows timers in 1/100 s.", finTimeout, method(observed), these.size())
                        : String.format(Locale.ROOT, "An orphaned socket in FIN_WAIT_2 (the peer never sends its FIN) is dropped after"
                                + " tcp_fin_timeout = %.0f s. %s, over %d sockets.", finTimeout, method(observed), these.size());
                // A kernel timer never fires early and fires up to one granule of the timer wheel's level late
                // (TcpModel.timerGranuleSeconds); the table is polled every 100 ms. The kernel's own timer, read
                // before it fires, shows the requested expiry to 1/100 s, without that lateness.
                double granule = TcpModel.timerGranuleSeconds(expected, data.hz());
                double high = observed ? expected + granule + POLL_SECONDS : expected + POLL_SECONDS;
                Claim.Metric metric = Claim.Metric.of(kind.toLowerCase(Locale.ROOT) + "_lifetime_s", kind + " lifetime (median)", "s");
                Claim claim = Claim.between("C2", name(), conditions, metric, expected, Math.round(med * 100) / 100.0,
                        expected - POLL_SECONDS, high, why + (observed ? String.format(Locale.ROOT, " A %.0f s timer lands on a level of the"
                                + " kernel's timer wheel whose granule is %.3f s at %s, so it fires from %.0f to %.1f s; %.2f s is"
                                + " within that.", expected, granule, data.hzText(), expected, expected + granule, med) : ""))
                        .band(observed ? String.format(Locale.ROOT, "timer-wheel granule %.3f s (%s) + the 100 ms poll", granule, data.hzText())
                                : "the 100 ms poll; the kernel's timer shows the requested expiry");
                if (kind.equals("FIN_WAIT2")) {
                    String scaled = TcpModel.scaledFromDefaults(r.sysctls(), "net.ipv4.tcp_fin_timeout");
                    claim = claim.scaledAtAnyValue(scaled, scaled.isEmpty() ? "" : TcpModel.DEFAULTS.get("net.ipv4.tcp_fin_timeout") + " s");
                }
                claims.add(observed ? claim : claim.shortOf(String.format(Locale.ROOT, "read from the kernel's timer during a %d s watch,"
                        + " not watched to the socket's end", data.params(r).integer("watch"))));
            }
        }
        StringBuilder md = new StringBuilder("The client closes first; half of its connections end in TIME_WAIT (the server closes"
                + " after it), half wait in FIN_WAIT_2 (the server never closes). The lab follows each socket in the client host's"
                + " socket table until it leaves. The model: TIME_WAIT lasts 60 s whatever tcp_fin_timeout says; an orphaned FIN_WAIT_2"
                + " lasts tcp_fin_timeout.\n\n");
        if (!labels.isEmpty()) {
            String title = "How long sockets stay after close(), profile " + data.profile();
            CategoryChart chart = Plots.bars(title, "seconds after close() (median)", false, 0, false);
            chart.addSeries("measured (median)", labels, measured).setFillColor(Plots.PALETTE[0]);
            Plots.modelMarkers(chart, "model: 60 s for TIME_WAIT, tcp_fin_timeout for FIN_WAIT_2", labels, model);
            Plots.save(chart, data.charts(), "time-wait-lifetime");
            md.append(new Drawn("time-wait-lifetime", title, "Median seconds from close() until the socket left the client's socket table"
                    + " (or, past the watch, until its kernel timer fires); diamonds: the model.").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }
}
