package tcplab.experiment.timeouts;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
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
import tcplab.kernel.TcpModel;
import tcplab.kernel.TcpSockets;
import tcplab.lab.Firewall;
import tcplab.lab.ServerProcess;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * C12: a connection whose peer vanished while data is in flight fails only after tcp_retries2
 * retransmissions (about 15 minutes with the default 15); keepalive does not shorten that;
 * TCP_USER_TIMEOUT does.
 *
 * <p>The client writes as fast as it can to a server that reads everything; then the server host
 * drops every packet (nf_tables). The client's writes fill its send buffer and block; the lab
 * reads the client's socket from the socket table every 50 ms, so each retransmission is seen.
 * The client records when its write fails, and why. Variants: plain; with keepalive set
 * aggressively on the socket (1 s idle, 1 s interval, 1 probe); with TCP_USER_TIMEOUT, which the
 * JDK cannot set, through Netty's epoll transport.
 *
 * <p>The model: the kernel's hypothetical timeout for tcp_retries2 ({@link TcpModel#retransmitTimeoutSeconds}:
 * the doubling retransmission timeouts from 200 ms summed up to the 120 s cap, then 120 s each; 3 s
 * for 3, 924.6 s for 15) counts from the first retransmission and is checked when a retransmission
 * timer fires, so the connection fails one timeout later ({@link TcpModel#retransmitFailureSeconds}:
 * 6.2 s for 3, 1044.6 s for 15). Keepalive probes only an idle connection, and one with data in
 * flight is not idle. TCP_USER_TIMEOUT replaces the hypothetical timeout by its own, and the timer
 * is clamped to fire when it passes ({@link TcpModel#userTimeoutFailureSeconds}).
 */
public final class StuckWriteExperiment extends Experiment {
    static final int PORT = ServerProcess.PORT;
    /** When the KEEPALIVE variant's keepalive would end an idle connection: 1 s idle + 1 probe × 1 s. */
    static final double KEEPALIVE_ACTS_SECONDS = 2;
    static final long POLL_MILLIS = 50;
    private static final String[] OUTCOME = {"variant", "fault_ms", "failed_ms", "bytes_written", "error"};
    private static final String[] RETRANSMITS = {"at_ms", "retransmits", "timer_ms", "send_queue"};

    /** What the client does about it. */
    public enum Variant { PLAIN, KEEPALIVE, USER_TIMEOUT }

    @Override
    public java.util.Map<String, String> commands() {
        return tcplab.lab.Firewall.NEEDS; // the fault: the server host drops packets
    }

    @Override
    public String name() {
        return "stuck-write";
    }

    @Override
    public String title() {
        return "Stuck write: tcp_retries2, keepalive and TCP_USER_TIMEOUT";
    }

    @Override
    public List<String> claims() {
        return List.of("C12");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.choice("variant", "PLAIN; KEEPALIVE (1 s idle, 1 s interval, 1 probe, on the socket); USER_TIMEOUT"
                        + " (TCP_USER_TIMEOUT through Netty's epoll transport)", "PLAIN", "KEEPALIVE", "USER_TIMEOUT"),
                Parameter.integer("userTimeout", 2000, 1, 3_600_000, "TCP_USER_TIMEOUT in ms, for the USER_TIMEOUT variant"));
    }

    @Override
    public Duration expected(Params params) {
        return expected(params, Map.of());
    }

    @Override
    public Duration expected(Params params, Map<String, String> sysctls) {
        double fails = params.get("variant").equals("USER_TIMEOUT")
                ? TcpModel.userTimeoutFailureSeconds(params.integer("userTimeout") / 1000.0, TcpModel.RTO_MIN_SECONDS)
                : TcpModel.retransmitFailureSeconds(retries2(sysctls), TcpModel.RTO_MIN_SECONDS, TcpModel.RTO_MAX_SECONDS);
        return Duration.ofMillis((long) (fails * 1000 * 1.06) + 1100); // + two agent JVMs and the flow getting going
    }

    private static int retries2(Map<String, String> settings) {
        return Integer.parseInt(settings.getOrDefault("net.ipv4.tcp_retries2", "15").trim());
    }

    @Override
    public void run(Trial trial) throws Exception {
        AgentProcess server = trial.agent(trial.serverHost(), "server", Map.of("bind", trial.serverAddress()));
        server.await("listening", Duration.ofSeconds(30));
        AgentProcess client = trial.agent(trial.lab().client(), "client", Map.of("host", trial.serverAddress()));
        String flowing = client.await("writing", Duration.ofSeconds(30));
        if (flowing.startsWith("unavailable")) {
            trial.say("client: " + flowing);
            client.waitFor(Duration.ofSeconds(10));
            return;
        }
        Firewall.drop(trial.serverHost(), Firewall.Hook.INPUT, "");
        Firewall.drop(trial.serverHost(), Firewall.Hook.OUTPUT, "");
        long fault = System.currentTimeMillis();
        client.send("fault " + fault);
        trial.say("the server host now drops every packet; the client keeps writing");
        try (RunFolder.CsvLog rows = trial.rows("retransmits", RETRANSMITS)) {
            Map<String, Integer> seen = new HashMap<>();
            while (client.isAlive() && !trial.aborted()) {
                for (TcpSockets.Socket s : TcpSockets.read(trial.lab().client().procNet())) {
                    if (s.remotePort() == PORT && s.state().equals("ESTABLISHED")
                            && !Integer.valueOf(s.retransmits()).equals(seen.get("r"))) {
                        seen.put("r", s.retransmits());
                        rows.row(System.currentTimeMillis(), s.retransmits(), s.timerMillis(), s.sendQueue());
                        if (s.retransmits() > 0) {
                            trial.say(String.format(Locale.ROOT, "retransmission %d, %.1f s after the fault; next in %.1f s", s.retransmits(),
                                    (System.currentTimeMillis() - fault) / 1000.0, s.timerMillis() / 1000.0));
                        }
                    }
                }
                trial.sleep(Duration.ofMillis(POLL_MILLIS));
            }
        }
        client.waitFor(Duration.ofSeconds(10));
        server.send("exit");
        server.waitFor(Duration.ofSeconds(10));
    }

    @Override
    public void agent(Agent agent) throws Exception {
        switch (agent.role()) {
            case "server" -> server(agent);
            case "client" -> client(agent);
            default -> super.agent(agent);
        }
    }

    /** The server: read and discard everything, until told to stop. */
    private static void server(Agent agent) throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), PORT), 4);
            agent.signal("listening");
            Socket s = listener.accept();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[65536];
                try (InputStream in = s.getInputStream()) {
                    while (in.read(buffer) >= 0) {
                        // discard
                    }
                } catch (IOException gone) {
                    // the connection ended
                }
            }, "tcplab-reader");
            reader.setDaemon(true);
            reader.start();
            agent.await("exit", Duration.ofMillis(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis())));
            s.close();
        }
    }

    /** The client: write until the connection fails; record when and why. */
    private static void client(Agent agent) throws Exception {
        Variant variant = agent.params().choice("variant", Variant.class);
        InetSocketAddress target = new InetSocketAddress(agent.params().get("host"), PORT);
        try (RunFolder.CsvLog rows = agent.rows("outcome", OUTCOME)) {
            String[] result = variant == Variant.USER_TIMEOUT ? writeWithUserTimeout(agent, target) : writeWithJdk(agent, target, variant);
            rows.row(variant, result[0], result[1], result[2], result[3]);
        }
    }

    /** Plain or keepalive: a blocking channel, writing until write() throws. */
    private static String[] writeWithJdk(Agent agent, InetSocketAddress target, Variant variant) throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            if (variant == Variant.KEEPALIVE) {
                channel.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1);
            }
            channel.connect(target);
            ByteBuffer chunk = ByteBuffer.allocateDirect(16 * 1024);
            long written = 0;
            CompletableFuture<String> fault = faultTime(agent);
            boolean told = false;
            try {
                while (!agent.expired()) {
                    chunk.clear();
                    written += channel.write(chunk);
                    if (!told && written > 1 << 20) {
                        agent.signal("writing");
                        told = true;
                    }
                }
                return new String[] {faultOf(fault), "", Long.toString(written), "still writing at the deadline"};
            } catch (IOException e) {
                return new String[] {faultOf(fault), Long.toString(System.currentTimeMillis()), Long.toString(written), e.getMessage()};
            }
        }
    }

    /** TCP_USER_TIMEOUT through Netty's epoll transport: writes while the channel is writable; the channel's error is the end. */
    private static String[] writeWithUserTimeout(Agent agent, InetSocketAddress target) throws Exception {
        if (!Epoll.isAvailable()) {
            agent.signal("writing unavailable: " + Epoll.unavailabilityCause());
            return new String[] {"", "", "0", "unavailable: " + Epoll.unavailabilityCause()};
        }
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        CompletableFuture<String[]> end = new CompletableFuture<>();
        long[] written = {0};
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(16 * 1024).writeZero(16 * 1024));
        CompletableFuture<String> fault = faultTime(agent);
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(EpollChannelOption.TCP_USER_TIMEOUT, agent.params().integer("userTimeout"))
                    .handler(new ChannelInboundHandlerAdapter() {
                        private boolean told;

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            fill(ctx.channel());
                        }

                        @Override
                        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                            fill(ctx.channel());
                        }

                        private void fill(Channel ch) {
                            while (ch.isWritable()) {
                                ch.write(chunk.duplicate()).addListener(f -> {
                                    if (f.isSuccess()) {
                                        written[0] += 16 * 1024;
                                    }
                                });
                            }
                            ch.flush();
                            if (!told && written[0] > 1 << 20) {
                                agent.signal("writing");
                                told = true;
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            end.complete(new String[] {Long.toString(System.currentTimeMillis()), cause.getMessage()});
                            ctx.close();
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            end.complete(new String[] {Long.toString(System.currentTimeMillis()), "the channel closed"});
                        }
                    });
            bootstrap.connect(target).sync();
            String[] e = end.get(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            return new String[] {faultOf(fault), e[0], Long.toString(written[0]), e[1]};
        } catch (java.util.concurrent.TimeoutException stillWriting) {
            return new String[] {faultOf(fault), "", Long.toString(written[0]), "still writing at the deadline"};
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The fault time the run side sends, read on another thread while this one writes. */
    private static CompletableFuture<String> faultTime(Agent agent) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String command = agent.await("fault", Duration.ofMillis(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis())));
                return command == null ? "" : command.substring(6).trim();
            } catch (InterruptedException e) {
                return "";
            }
        });
    }

    private static String faultOf(CompletableFuture<String> fault) {
        return fault.getNow("");
    }

    /**
     * When each retransmission timer was due (epoch ms), as the socket table showed it: a row with k
     * retransmissions shows the time left until timer k + 1 fires, in 1/100 s.
     */
    static Map<Integer, Long> fires(List<Map<String, String>> rows) {
        Map<Integer, Long> fires = new TreeMap<>();
        for (Map<String, String> row : rows) {
            long timer = Long.parseLong(row.get("timer_ms"));
            if (timer > 0) {
                fires.putIfAbsent(Integer.parseInt(row.get("retransmits")) + 1, Long.parseLong(row.get("at_ms")) + timer);
            }
        }
        return fires;
    }

    /**
     * {first retransmission after the fault, RTO} in seconds: the RTO is half the gap between the first
     * two timers (the second timeout is twice the first). Null when the rows do not show two timers.
     */
    static double[] pathRto(Map<Integer, Long> fires, long faultMs) {
        Long first = fires.get(1);
        Long second = fires.get(2);
        Long third = fires.get(3);
        if (second != null && third != null && first == null) {
            double rto = (third - second) / 4000.0;
            return new double[] {(second - faultMs) / 1000.0 - 2 * rto, rto};
        }
        if (first == null || second == null) {
            return null;
        }
        return new double[] {(first - faultMs) / 1000.0, (second - first) / 2000.0};
    }

    /**
     * {seconds after the fault, granule, timer number} of the first timer the socket table showed that
     * was due {@code hypothetical} s or more after the first retransmission: tcp_write_timeout's check
     * (retransmits_timed_out) passes there first. {@code firstMs}: the first timer, as shown or, when
     * the socket table showed it with no time left, from the next two. Null when the rows end before
     * such a timer.
     */
    static double[] failingTimer(Map<Integer, Long> fires, long faultMs, long firstMs, double hypothetical, int hz) {
        long first = fires.getOrDefault(1, firstMs);
        long previous = first;
        for (Map.Entry<Integer, Long> f : fires.entrySet()) {
            if (f.getKey() >= 2 && f.getValue() - first >= hypothetical * 1000 - 1) {
                double interval = (f.getValue() - previous) / 1000.0;
                return new double[] {(f.getValue() - faultMs) / 1000.0, TcpModel.timerGranuleSeconds(interval, hz), f.getKey()};
            }
            previous = f.getValue();
        }
        return null;
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        Map<String, TreeMap<Integer, Double>> measured = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> modelled = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("| configuration | tcp_retries2's hypothetical timeout | model: fails after | write failed"
                + " after | retransmissions | error |\n|---|---:|---:|---:|---:|---|\n");
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Variant variant = p.choice("variant", Variant.class);
            List<Map<String, String>> rows = data.rows(r, "outcome");
            if (!r.ok() || rows.isEmpty()) {
                table.append("| ").append(r.label()).append(" | | | not measured: ").append(r.status()).append(" | | |\n");
                continue;
            }
            Map<String, String> o = rows.get(0);
            int retries2 = retries2(r.sysctls());
            double rtoMin = TcpModel.seconds(r.sysctls(), "net.ipv4.tcp_rto_min_us", 1e6, TcpModel.RTO_MIN_SECONDS);
            double rtoMax = TcpModel.seconds(r.sysctls(), "net.ipv4.tcp_rto_max_ms", 1000, TcpModel.RTO_MAX_SECONDS);
            double hypothetical = TcpModel.retransmitTimeoutSeconds(retries2, rtoMin, rtoMax);
            double model = variant == Variant.USER_TIMEOUT ? TcpModel.userTimeoutFailureSeconds(p.integer("userTimeout") / 1000.0, rtoMin)
                    : TcpModel.retransmitFailureSeconds(retries2, rtoMin, rtoMax);
            Claim.Where conditions = data.where(r, "net.ipv4.tcp_retries2").and("variant=" + variant);
            if (variant != Variant.USER_TIMEOUT) {
                conditions = conditions.without("userTimeout");
            } else {
                conditions = conditions.without("net.ipv4.tcp_retries2");
            }
            Claim.Metric metric = Claim.Metric.of("write_fails_after_s", "seconds from the fault until the write failed", "s");
            if (o.get("error").startsWith("unavailable")) {
                claims.add(Claim.skipped("C12", name(), conditions, metric, "TCP_USER_TIMEOUT cannot be set on this machine: " + o.get("error")
                        + ". The JDK has no option for it; Netty's epoll transport needs its native library for this architecture."));
                table.append("| ").append(r.label()).append(" | | | not measured | | ").append(o.get("error")).append(" |\n");
                continue;
            }
            boolean failed = !o.get("failed_ms").isEmpty() && !o.get("fault_ms").isEmpty();
            double seconds = failed ? (Long.parseLong(o.get("failed_ms")) - Long.parseLong(o.get("fault_ms"))) / 1000.0 : Double.NaN;
            List<Map<String, String>> retransmitRows = data.rows(r, "retransmits");
            int retransmits = retransmitRows.stream().mapToInt(x -> Integer.parseInt(x.get("retransmits"))).max().orElse(0);
            long faultMs = o.get("fault_ms").isEmpty() ? 0 : Long.parseLong(o.get("fault_ms"));
            Map<Integer, Long> fires = faultMs == 0 ? Map.of() : fires(retransmitRows);
            double[] path = faultMs == 0 ? null : pathRto(fires, faultMs);
            double[] onPath = variant == Variant.USER_TIMEOUT || path == null ? null
                    : TcpModel.retransmitFailureOnPath(retries2, path[0], path[1], rtoMin, rtoMax, data.hz());
            // the kernel's check applied to the timers the socket table showed: the first one due the hypothetical timeout or more
            // after the first retransmission ends the connection, up to one timer-wheel granule after it was due
            double[] seen = variant == Variant.USER_TIMEOUT || path == null ? null
                    : failingTimer(fires, faultMs, faultMs + Math.round(path[0] * 1000), hypothetical, data.hz());
            if (seen != null) {
                model = seen[0];
            } else if (onPath != null) {
                model = onPath[0];
            }
            table.append(String.format(Locale.ROOT, "| %s | %.1f s | %s | %s | %d | %s |%n", r.label(), hypothetical,
                    seen != null ? String.format(Locale.ROOT, "%.1f s (timer %d; RTO %.0f ms)", model, (int) seen[2], path[1] * 1000)
                            : onPath == null ? String.format(Locale.ROOT, "%.1f s", model) : String.format(Locale.ROOT,
                            "%.1f s (%.1f to %.1f; RTO %.0f ms)", model, onPath[1], onPath[2], path[1] * 1000),
                    failed ? String.format(Locale.ROOT, "%.2f s", seconds) : "did not fail", retransmits, o.get("error")));
            String series = variant == Variant.USER_TIMEOUT ? "TCP_USER_TIMEOUT " + p.integer("userTimeout") + " ms"
                    : variant == Variant.KEEPALIVE ? "keepalive on (1 s idle, 1 s interval, 1 probe)" : "plain";
            if (failed) {
                measured.computeIfAbsent(series, k -> new TreeMap<>()).put(retries2, seconds);
            }
            modelled.computeIfAbsent(variant == Variant.USER_TIMEOUT ? series : "tcp_retries2, failure (plain and keepalive)", k -> new TreeMap<>())
                    .put(retries2, model);
            String onThePath = seen != null ? String.format(Locale.ROOT, " On this path the first retransmission came %.0f ms after the"
                    + " fault and the RTO measured about %.0f ms, not the 200 ms floor the hypothetical timeout is computed from. The kernel"
                    + " checks tcp_retries2 only when a retransmission timer fires (tcp_write_timeout), so the connection fails at the first"
                    + " timer %.1f s or more after the first retransmission: of the timers the socket table showed, timer %d, due %.1f s"
                    + " after the fault, firing up to %.3f s later (one timer-wheel granule at %s). With an RTO of exactly 200 ms it would"
                    + " be %.1f s.", path[0] * 1000, path[1] * 1000, hypothetical, (int) seen[2], seen[0], seen[1], data.hzText(),
                    TcpModel.retransmitFailureSeconds(retries2, rtoMin, rtoMax))
                    : onPath == null ? "" : String.format(Locale.ROOT, " On this path the first retransmission came %.0f ms after"
                    + " the fault and the RTO measured %.0f ms, not the 200 ms floor the hypothetical timeout is computed from; the kernel"
                    + " checks tcp_retries2 only when a retransmission timer fires, so the connection fails at the first timer %.1f s or"
                    + " more after the first retransmission: %.1f s after the fault (%.1f to %.1f s with each timer up to one timer-wheel"
                    + " granule late at %s). With exactly 200 ms it would be %.1f s.", path[0] * 1000, path[1] * 1000,
                    hypothetical, onPath[0], onPath[1], onPath[2], data.hzText(), TcpModel.retransmitFailureSeconds(retries2, rtoMin, rtoMax));
            String why = switch (variant) {
                case PLAIN -> String.format(Locale.ROOT, "With data unacknowledged the kernel retransmits with doubling timeouts. Its"
                        + " hypothetical timeout for tcp_retries2 = %d, %.1f s, counts from the first retransmission (%d retransmissions"
                        + " here).", retries2, hypothetical, retransmits) + onThePath;
                case KEEPALIVE -> String.format(Locale.ROOT, "Keepalive was set to probe after 1 s of idleness, yet the connection failed only"
                        + " when tcp_retries2 = %d said so (%.1f s): a connection with data in flight is not idle, so keepalive never"
                        + " probes it.", retries2, model) + onThePath;
                case USER_TIMEOUT -> String.format(Locale.ROOT, "TCP_USER_TIMEOUT = %d ms replaces tcp_retries2's hypothetical timeout"
                        + " (%.1f s for %d) for this socket: counted from the first retransmission (%.0f ms after the segment), with the"
                        + " retransmission timer clamped to fire when it passes.", p.integer("userTimeout"),
                        TcpModel.retransmitTimeoutSeconds(retries2, rtoMin, rtoMax), retries2, rtoMin * 1000);
            };
            // the fault time is taken just after the drop rule applies, and the client notices the failure within ms
            double low = seen != null ? model - 0.05 : onPath == null ? model - 0.1 : onPath[1] - 0.1;
            double high = seen != null ? model + seen[1] + 0.3 : onPath == null ? model * 1.125 + 0.5 : onPath[2] + 0.3;
            Claim c = failed ? Claim.between("C12", name(), conditions, metric, Math.round(model * 100) / 100.0,
                    Math.round(seconds * 100) / 100.0, low, high, why)
                    : Claim.check("C12", name(), conditions, metric, Claim.number(model), o.get("error"), false, why);
            c = c.band(seen != null ? "the failing timer from when it was due to one timer-wheel granule later, − 0.05 s / + 0.3 s for the"
                    + " socket table's 1/100 s and the clock reads" : onPath == null ? "model − 0.1 s to model + 1/8 of it + 0.5 s"
                    : "every timer from on time to one timer-wheel granule late, − 0.1 s / + 0.3 s for the fault's and the failure's clock reads");
            if (seen == null && onPath != null && onPath[1] < onPath[0] - 1e-6) {
                // the RTO sits so near the point where an earlier timer passes the check that timer lateness decides
                c = c.shortOf(String.format(Locale.ROOT, "the measured RTO is within timer lateness of the point where the earlier timer"
                        + " (%.1f s) would end it: the model cannot tell which timer does, so the band spans both", onPath[1]));
            }
            if (variant == Variant.KEEPALIVE && failed && seconds < KEEPALIVE_ACTS_SECONDS) {
                c = c.shortOf(String.format(Locale.ROOT, "the write failed after %.1f s, before keepalive (1 s idle, 1 s interval, 1 probe:"
                        + " %.0f s) could have acted even on an idle connection; a larger tcp_retries2 shows it", seconds, KEEPALIVE_ACTS_SECONDS));
            }
            String scaled = variant == Variant.USER_TIMEOUT ? "" : TcpModel.scaledFromDefaults(r.sysctls(), "net.ipv4.tcp_retries2");
            if (!scaled.isEmpty()) {
                double atDefaults = onPath == null ? TcpModel.retransmitFailureSeconds(15, rtoMin, rtoMax)
                        : TcpModel.retransmitFailureOnPath(15, path[0], path[1], rtoMin, rtoMax, data.hz())[0];
                // rounded: the RTO is read to a few ms, and at 15 each ms of it moves the failure by about a second
                c = c.scaled(scaled, "about " + tcplab.results.Format.number(atDefaults) + " s");
            }
            claims.add(c);
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "The client writes as fast as it can; then the server host drops"
                + " every packet. The model: the retransmission timeout doubles from the path's RTO up to 120 s; tcp_retries2 sets a"
                + " hypothetical timeout computed from the 200 ms floor, whatever the path's RTO (%.1f s for 3, %.1f s for 8, %.1f s for"
                + " the default 15: the figure usually quoted, and the documentation's lower bound). The kernel counts it from the first"
                + " retransmission and checks it only when a retransmission timer fires, so a connection fails at the first timer past it."
                + " Which timer that is, the path's RTO decides: the table gives the RTO measured from the first two timers of each run"
                + " and the failure it predicts. With an RTO of exactly 200 ms it would be a whole doubling later (%.1f s for 3, %.1f s"
                + " for 8, %.1f s for 15). Keepalive does not shorten it (a connection with data in flight is not idle);"
                + " TCP_USER_TIMEOUT, which the JDK cannot set and Netty's epoll transport can, replaces it.%n%n",
                TcpModel.retransmitTimeoutSeconds(3, 0.2, 120), TcpModel.retransmitTimeoutSeconds(8, 0.2, 120),
                TcpModel.retransmitTimeoutSeconds(15, 0.2, 120), TcpModel.retransmitFailureSeconds(3, 0.2, 120),
                TcpModel.retransmitFailureSeconds(8, 0.2, 120), TcpModel.retransmitFailureSeconds(15, 0.2, 120)));
        if (!measured.isEmpty()) {
            Map<String, double[][]> series = Plots.series();
            Map<String, double[][]> model = Plots.series();
            measured.forEach((k, v) -> series.put("measured: " + k, Plots.xy(v)));
            modelled.forEach((k, v) -> model.put("model: " + k, Plots.xy(v)));
            String title = "Time until a write to a vanished peer fails, profile " + data.profile();
            XYChart chart = Plots.lines(title, "tcp_retries2", "seconds after the peer vanished", series, model);
            Plots.save(chart, data.charts(), "stuck-write");
            md.append(new Drawn("stuck-write", title, "Points: when the client's write failed; dashed: the kernel's tcp_retries2 model"
                    + " (and the TCP_USER_TIMEOUT set).").markdown("charts"));
        }
        md.append(table).append("\n");
        return new Section(name(), title(), md.toString(), claims);
    }
}
