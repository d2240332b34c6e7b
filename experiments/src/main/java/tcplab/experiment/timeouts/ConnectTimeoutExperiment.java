package tcplab.experiment.timeouts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
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
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Firewall;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;

/**
 * C10: a connect() to a host that silently drops SYNs takes as long as the kernel's SYN
 * retransmission schedule, unless the application's own connect timeout is shorter.
 *
 * <p>The server host drops every SYN to the server's port (an nf_tables rule in its own namespace,
 * counting what it drops); a server listens behind it. The client connects, with no timeout of its
 * own or with one; the lab reads the connecting socket from the client host's socket table every
 * 20 ms, so each retransmission is seen when the kernel's count of them goes up.
 *
 * <p>The model ({@link TcpModel#synSchedule}): timeouts from 1 s, the first tcp_syn_linear_timeouts
 * retransmissions 1 s apart, then doubling up to tcp_rto_max_ms; connect() fails with ETIMEDOUT
 * when a timeout fires after tcp_syn_retries + tcp_syn_linear_timeouts retransmissions or at least
 * 2^(tcp_syn_retries + 1) - 1 s after the first SYN. An application timeout shorter than that wins,
 * after the SYNs that fit into it.
 */
public final class ConnectTimeoutExperiment extends Experiment {
    static final long POLL_MILLIS = 20;
    private static final String[] ATTEMPTS = {"attempt", "start_ms", "end_ms", "outcome", "error"};
    private static final String[] SYNS = {"attempt", "at_ms", "local_port", "retransmits"};
    private static final String[] TOTALS = {"syns_dropped", "TcpExt.TCPSynRetrans"};

    @Override
    public java.util.Map<String, String> commands() {
        return tcplab.lab.Firewall.NEEDS; // the fault: the server host drops packets
    }

    @Override
    public String name() {
        return "connect-timeout";
    }

    @Override
    public String title() {
        return "Connect timeout: the SYN retransmission schedule";
    }

    @Override
    public List<String> claims() {
        return List.of("C10");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.integer("connectTimeout", 0, 0, 600_000, "the application's connect timeout in ms; 0: none, the kernel decides"),
                Parameter.integer("attempts", 1, 1, 20, "connects, one after the other"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        double kernel = TcpModel.synSchedule(intOf(sysctls, "net.ipv4.tcp_syn_retries", 6),
                intOf(sysctls, "net.ipv4.tcp_syn_linear_timeouts", 4), TcpModel.seconds(sysctls, "net.ipv4.tcp_rto_max_ms", 1000,
                        TcpModel.RTO_MAX_SECONDS)).failsAt();
        int app = params.integer("connectTimeout");
        double each = app > 0 ? Math.min(kernel, app / 1000.0) : kernel;
        return Duration.ofMillis((long) (each * 1000 * 1.06 * params.integer("attempts")) + 800); // timers fire a little late
    }

    private static int intOf(Map<String, String> sysctls, String key, int fallback) {
        String v = sysctls.get(key);
        return v == null ? fallback : Integer.parseInt(v.trim());
    }

    @Override
    public void run(Trial trial) throws Exception {
        ServerProcess server = trial.server(ClosePolicy.READ_UNTIL_EOF, "server");
        Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "tcp dport " + ServerProcess.PORT + " tcp flags syn");
        trial.say("the server host now drops every SYN to port " + ServerProcess.PORT);
        Map<String, Long> before = KernelCounters.mib(trial.lab().client().procNet());
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("target", server.address()));
        try (RunFolder.CsvLog syns = trial.rows("syns", SYNS)) {
            Map<Integer, Integer> seen = new HashMap<>();
            int attempt = 0;
            while (client.isAlive() && !trial.aborted()) {
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    if (s.state().equals("SYN_SENT") && s.remotePort() == ServerProcess.PORT
                            && !Integer.valueOf(s.retransmits()).equals(seen.get(s.localPort()))) {
                        if (!seen.containsKey(s.localPort())) {
                            attempt++;
                        }
                        seen.put(s.localPort(), s.retransmits());
                        syns.row(attempt, System.currentTimeMillis(), s.localPort(), s.retransmits());
                    }
                }
                trial.sleep(Duration.ofMillis(POLL_MILLIS));
            }
        }
        client.waitFor(Duration.ofSeconds(10));
        Map<String, Long> after = KernelCounters.mib(trial.lab().client().procNet());
        try (RunFolder.CsvLog totals = trial.rows("totals", TOTALS)) {
            totals.row(Firewall.dropped(trial.serverHost()), after.getOrDefault("TcpExt.TCPSynRetrans", 0L)
                    - before.getOrDefault("TcpExt.TCPSynRetrans", 0L));
        }
    }

    /** The client: connect, and record how and when it ended. */
    @Override
    public void agent(Agent agent) throws Exception {
        String[] target = agent.params().get("target").split(":");
        InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
        int timeout = agent.params().integer("connectTimeout");
        try (RunFolder.CsvLog rows = agent.rows("attempts", ATTEMPTS)) {
            for (int i = 1; i <= agent.params().integer("attempts") && !agent.expired(); i++) {
                long start = System.currentTimeMillis();
                String outcome;
                String error = "";
                try (Socket socket = new Socket()) {
                    socket.connect(address, timeout); // 0: wait as long as the kernel does
                    outcome = "connected";
                } catch (SocketTimeoutException e) {
                    outcome = "application-timeout";
                    error = e.getMessage();
                } catch (IOException e) {
                    outcome = String.valueOf(e.getMessage()).contains("timed out") ? "kernel-timeout" : "error";
                    error = e.getMessage();
                }
                long end = System.currentTimeMillis();
                rows.row(i, start, end, outcome, error);
                agent.say(String.format(Locale.ROOT, "attempt %d: %s after %.2f s%s", i, outcome, (end - start) / 1000.0,
                        error.isEmpty() ? "" : " (" + error + ")"));
            }
        }
    }

    /** What the settings in effect predict for a configuration. */
    record Model(int retries, int linear, double rtoMax, TcpModel.SynSchedule kernel, double appSeconds) {
        static Model of(Map<String, String> settings, int connectTimeoutMs) {
            int retries = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_retries", "6").trim());
            // a kernel without tcp_syn_linear_timeouts behaves as with 0
            int linear = Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_syn_linear_timeouts", "0").trim());
            double rtoMax = TcpModel.seconds(settings, "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS);
            return new Model(retries, linear, rtoMax, TcpModel.synSchedule(retries, linear, rtoMax), connectTimeoutMs / 1000.0);
        }

        boolean appWins() {
            return appSeconds > 0 && appSeconds < kernel.failsAt();
        }

        double failsAfter() {
            return appWins() ? appSeconds : kernel.failsAt();
        }

        /** SYNs sent before the connect gives up: all of the schedule's, or those sent before the application's timeout. */
        int syns() {
            return appWins() ? (int) Arrays.stream(kernel.sendTimes()).filter(t -> t < appSeconds).count() : kernel.syns();
        }
    }

    /** How late a whole SYN schedule may end: each timer's timer-wheel granule, summed (TcpModel.timerGranuleSeconds). */
    static double schedulSlack(TcpModel.SynSchedule schedule, int hz) {
        double slack = 0;
        double previous = 0;
        double[] sends = schedule.sendTimes();
        for (int i = 1; i <= sends.length; i++) {
            double at = i < sends.length ? sends[i] : schedule.failsAt();
            slack += TcpModel.timerGranuleSeconds(at - previous, hz);
            previous = at;
        }
        return slack;
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<String, TreeMap<Integer, Double>> measured = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> modelled = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| configuration | model: SYNs sent at | model: fails at | measured | SYNs sent (model /"
                + " dropped) | retransmissions seen at |\n|---|---|---:|---:|---|---|\n");
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            List<Map<String, String>> attempts = data.rows(r, "attempts");
            if (!r.ok() || attempts.isEmpty()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | |\n");
                continue;
            }
            Model m = Model.of(r.sysctls(), p.integer("connectTimeout"));
            List<Map<String, String>> totals = data.rows(r, "totals");
            long dropped = totals.isEmpty() ? -1 : Long.parseLong(totals.get(0).get("syns_dropped"));
            List<Double> seconds = attempts.stream().map(a -> (Long.parseLong(a.get("end_ms")) - Long.parseLong(a.get("start_ms"))) / 1000.0)
                    .toList();
            double mean = seconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            String series = (m.appWins() ? "application timeout " + p.integer("connectTimeout") + " ms" : "kernel") + ", linear timeouts "
                    + m.linear();
            measured.computeIfAbsent(series, k -> new TreeMap<>()).put(m.retries(), mean);
            modelled.computeIfAbsent(series, k -> new TreeMap<>()).put(m.retries(), m.failsAfter());
            String sends = m.appWins() ? schedule(Arrays.copyOf(m.kernel().sendTimes(), m.syns())) + ", then the application gives up"
                    : schedule(m.kernel().sendTimes());
            table.append(String.format(Locale.ROOT, "| %s | %s | %.1f s | %s | %d / %s | %s |%n", r.label(), sends, m.failsAfter(),
                    String.join(", ", seconds.stream().map(s -> String.format(Locale.ROOT, "%.2f s", s)).toList()), m.syns(),
                    dropped < 0 ? "?" : Long.toString(dropped / attempts.size()), retransmissionTimes(data.rows(r, "syns"), attempts)));

            Claim.Where conditions = data.where(r, "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_syn_linear_timeouts", "net.ipv4.tcp_rto_max_ms");
            String expectedOutcome = m.appWins() ? "application-timeout" : "kernel-timeout";
            boolean outcomes = attempts.stream().allMatch(a -> a.get("outcome").equals(expectedOutcome));
            // a kernel timer never fires early, and each SYN timer up to one timer-wheel granule late (they add up
            // along the schedule); the client's clock reads are ms apart
            double slack = m.appWins() ? 0.1 : schedulSlack(m.kernel(), data.hz()) + 0.2;
            double low = m.failsAfter() - 0.05;
            double high = m.appWins() ? m.appSeconds() + 0.1 : m.kernel().failsAt() + slack;
            Claim.Metric metric = Claim.Metric.of("connect_fails_after_s", "seconds until connect() fails (mean of " + attempts.size() + ")", "s");
            String why = why(m, mean, attempts, expectedOutcome, outcomes);
            Claim failsAfter = (outcomes ? Claim.between("C10", name(), conditions, metric, m.failsAfter(), Math.round(mean * 100) / 100.0,
                    low, high, why) : Claim.check("C10", name(), conditions, metric, Claim.number(m.failsAfter()), Claim.number(mean), false, why))
                    .band(m.appWins() ? "the application's timer + 100 ms" : String.format(Locale.ROOT,
                            "the SYN timers' timer-wheel granules summed (%.3f s at %s) + 0.2 s", slack - 0.2, data.hzText()));
            // the claim is about the defaults, 6 retries with 4 linear timeouts: a row at other values is scaled
            String scaled = TcpModel.scaledFromDefaults(r.sysctls(), "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_syn_linear_timeouts");
            if (!m.appWins()) {
                failsAfter = failsAfter.scaled(scaled, Claim.number(TcpModel.synSchedule(6, 4, m.rtoMax()).failsAt()) + " s");
            }
            claims.add(failsAfter);
            if (dropped >= 0) {
                long perAttempt = dropped / attempts.size();
                int full = 1 + m.retries() + m.linear();
                claims.add(Claim.check("C10", name(), conditions, Claim.Metric.of("syns_per_connect", "SYNs sent per connect() (dropped by"
                        + " the server host)", "SYNs"), Integer.toString(m.syns()), Long.toString(perAttempt), perAttempt == m.syns(), m.appWins()
                                ? "The SYNs the schedule sends before the application's timeout; then the application closes the socket."
                                : m.syns() == full ? String.format(Locale.ROOT, "The first SYN and tcp_syn_retries (%d) + tcp_syn_linear_timeouts"
                                + " (%d) retransmissions.", m.retries(), m.linear())
                                : String.format(Locale.ROOT, "The first SYN and %d retransmissions, not the %d that tcp_syn_retries (%d) +"
                                + " tcp_syn_linear_timeouts (%d) allow: the time limit, 2^(%d + 1) - 1 = %.0f s since the first SYN, ends"
                                + " connect() first.", m.syns() - 1, full - 1, m.retries(), m.linear(), m.retries(),
                                Math.pow(2, m.retries() + 1) - 1)));
            }
        }
        StringBuilder md = new StringBuilder("The server host drops every SYN to the server's port; the client connects with no timeout of"
                + " its own, or with one. The model (net/ipv4/tcp_timer.c, Documentation/networking/ip-sysctl.rst): SYN timeouts start"
                + " at 1 s, the first tcp_syn_linear_timeouts retransmissions keep it, then it doubles up to tcp_rto_max_ms; when a"
                + " timeout fires, connect() fails if tcp_syn_retries + tcp_syn_linear_timeouts retransmissions were made or"
                + " 2^(tcp_syn_retries + 1) - 1 s have passed since the first SYN. tcp_syn_linear_timeouts (added in 2023) mostly sends"
                + " more SYNs early rather than changing the wait: with the defaults, 6 and 4, the last SYN goes out at 67 s instead of"
                + " 63 s and connect() fails after 131 s instead of the 127 s older write-ups give; with 1 or 2 retries the time limit"
                + " ends it at 3 or 7 s either way. An application timeout shorter than that wins.\n\n");
        if (!measured.isEmpty()) {
            Map<String, double[][]> series = Plots.series();
            Map<String, double[][]> model = Plots.series();
            measured.forEach((k, v) -> series.put("measured: " + k, Plots.xy(v)));
            modelled.forEach((k, v) -> model.put("model: " + k, Plots.xy(v)));
            String title = "Time until connect() fails when SYNs are dropped, profile " + data.profile();
            XYChart chart = Plots.lines(title, "tcp_syn_retries", "seconds until connect() fails", series, model);
            Plots.save(chart, data.charts(), "connect-timeout");
            md.append(new Drawn("connect-timeout", title, "Points: the measured time to failure; dashed: the kernel's schedule (or the"
                    + " application's timeout where it is shorter).").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }

    private static String why(Model m, double mean, List<Map<String, String>> attempts, String expectedOutcome, boolean outcomes) {
        if (!outcomes) {
            return "connect() did not end the expected way (" + expectedOutcome + "): " + attempts.stream().map(a -> a.get("outcome")
                    + (a.get("error").isEmpty() ? "" : " (" + a.get("error") + ")")).distinct().toList();
        }
        if (m.appWins()) {
            return String.format(Locale.ROOT, "The application's %.1f s timeout is shorter than the kernel's %.0f s, so it ends the"
                    + " connect: the kernel's schedule no longer matters.", m.appSeconds(), m.kernel().failsAt());
        }
        return String.format(Locale.ROOT, "SYNs at %s; the connect fails when the timer fires at %.0f s (after %d retransmissions, or"
                + " 2^(tcp_syn_retries + 1) - 1 s after the first SYN, whichever comes first); measured %.2f s. The kernel's timers fire"
                + " no earlier than asked and up to 1/8 of their delay later (the timer wheel), so the measurement sits slightly above"
                + " the model.", schedule(m.kernel().sendTimes()), m.kernel().failsAt(), m.retries() + m.linear(), mean);
    }

    /** "0, 1, 3 s": when the SYNs go out. */
    private static String schedule(double[] sendTimes) {
        List<String> parts = new ArrayList<>();
        for (double t : sendTimes) {
            parts.add(t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t));
        }
        return String.join(", ", parts) + " s";
    }

    /** When the kernel counted each retransmission of the first attempt, seconds after its connect() began. */
    private static String retransmissionTimes(List<Map<String, String>> syns, List<Map<String, String>> attempts) {
        long start = Long.parseLong(attempts.get(0).get("start_ms"));
        List<String> at = new ArrayList<>();
        for (Map<String, String> s : syns) {
            if (s.get("attempt").equals("1") && !s.get("retransmits").equals("0")) {
                at.add(String.format(Locale.ROOT, "%.2f", (Long.parseLong(s.get("at_ms")) - start) / 1000.0));
            }
        }
        return at.isEmpty() ? "" : String.join(", ", at) + " s";
    }
}
