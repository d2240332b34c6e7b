package tcplab.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tcplab.results.RunData;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;

/**
 * What the numbers say, as sentences that cite the counters behind them. Each rule looks for one
 * notable pattern in the raw data and explains it with the kernel's model, once, followed by the
 * numbers of every configuration it applies to. A pattern the counters cannot explain is said to
 * be unexplained, not guessed at.
 */
final class Findings {
    private static final List<String> BENCHMARKS = List.of("ConnectCloseBenchmark", "ConnectionReuseBenchmark");

    private Findings() {
    }

    static List<String> of(RunData data) {
        List<String> found = new ArrayList<>();
        for (RunData.Result r : data.results()) {
            if (!r.ok()) {
                found.add(String.format(Locale.ROOT, "**%s** did not produce a result: %s: %s", r.id(), r.status(), r.row().get("message")));
            }
        }
        TimeWait timeWait = new TimeWait();
        for (String benchmark : BENCHMARKS) {
            Group.of(data.results(), benchmark, "thrpt").stream().filter(Group::hasData).forEach(timeWait::add);
        }
        timeWait.report(found);
        List<String> unexplained = new ArrayList<>();
        for (String benchmark : BENCHMARKS) {
            for (String mode : List.of("thrpt", "sample")) {
                for (Group g : Group.of(data.results(), benchmark, mode)) {
                    failures(g, found);
                    if (mode.equals("sample")) {
                        outliers(g, found, unexplained);
                    }
                }
            }
        }
        if (!unexplained.isEmpty()) {
            found.add("**Latency tails with no TCP timeout behind them**: " + String.join("; ", unexplained) + ". These maxima are far"
                    + " below the 200 ms minimum retransmission timeout and the 1 s a dropped SYN waits, so no TCP timeout caused"
                    + " them. " + (data.metadata().has("remote") ? "Scheduling delays and JVM pauses on either machine show up in the tail."
                    : "Client, server and the kernel's packet processing share the CPUs, so scheduling delays and JVM pauses show up in the tail."));
        }
        reuseAddr(Group.of(data.results(), "ConnectCloseBenchmark", "thrpt"), found);
        connectionReuse(Group.of(data.results(), "ConnectionReuseBenchmark", "thrpt"), found);
        noise(data, found);
        return found;
    }

    /**
     * Who holds TIME_WAIT, whether the client's ports ran out, and whether reuse saved the rate.
     * Configurations are sorted into these cases first, so each explanation is written once.
     */
    static final class TimeWait {
        private final List<String> resets = new ArrayList<>();
        private final List<String> serverSide = new ArrayList<>();
        private final List<String> reused = new ArrayList<>();
        private final List<String> exhausted = new ArrayList<>();
        private String exhaustedSettings = "";
        private int exhaustedPorts;
        private boolean slowedBeforeFailing;
        private long failedNoPort;

        /** Whether a configuration filled its client's port range with TIME_WAIT it could not reuse: its tail and its rate follow from that. */
        static boolean filledTheRange(RunData.Result r) {
            String mode = r.params().getOrDefault("closeMode", "CLIENT_FIN");
            int ports = TcpModel.portCount(r.sysctls());
            boolean clientKeeps = mode.equals("CLIENT_FIN") || mode.equals("CLIENT_LINGER");
            return clientKeeps && ports > 0 && !TcpModel.timeWaitReuse(r.sysctls(), r.path().equals("loopback"))
                    && r.clientCounter("state.TIME_WAIT", RunData.AFTER) >= ports * 0.4;
        }

        void add(Group g) {
            RunData.Result r = g.measured().get(0);
            Map<String, String> settings = r.sysctls();
            boolean loopback = r.path().equals("loopback");
            long clientTw = r.clientCounter("state.TIME_WAIT", RunData.AFTER);
            long serverTw = loopback ? 0 : r.serverCounter("state.TIME_WAIT", RunData.AFTER);
            int ports = TcpModel.portCount(settings);
            String mode = r.params().getOrDefault("closeMode", "CLIENT_FIN");
            if (mode.equals("CLIENT_RST")) {
                resets.add(String.format(Locale.ROOT, "%s: TIME_WAIT client %d / server %d, client TcpExt.TCPAbortOnData +%d, server resets %s",
                        g.label(), clientTw, serverTw, r.clientCounter("TcpExt.TCPAbortOnData", RunData.DELTA),
                        r.serverLastRow().getOrDefault("resets", "?")));
            } else if (mode.equals("SERVER_FIN")) {
                // on loopback the server runs in the client's host: one table holds both sides
                serverSide.add(loopback
                        ? String.format(Locale.ROOT, "%s: TIME_WAIT %d in the one host (the server's, as the client never keeps it) at %s"
                                + " cycles/s", g.label(), clientTw, Format.number(g.okRate()))
                        : String.format(Locale.ROOT, "%s: TIME_WAIT server %d / client %d at %s cycles/s",
                                g.label(), serverTw, clientTw, Format.number(g.okRate())));
            } else if (ports > 0 && clientTw > 0 && TcpModel.timeWaitReuse(settings, loopback)) {
                reused.add(String.format(Locale.ROOT, "%s (tcp_tw_reuse = %s%s): %d TIME_WAIT on the client, %d taken over by connect()"
                                + " (TcpExt.TWRecycled), %s cycles/s against a %s/s ceiling without reuse",
                        g.label(), settings.get("net.ipv4.tcp_tw_reuse"), loopback ? ", loopback" : "", clientTw,
                        r.clientCounter("TcpExt.TWRecycled", RunData.DELTA), Format.number(g.okRate()),
                        Format.number(TcpModel.portCeilingPerSecond(ports))));
            } else if (ports > 0 && clientTw >= ports * 0.4) {
                double[] rates = firstWarmupAndMeasured(r);
                exhausted.add(String.format(Locale.ROOT, "%s: %d of %d ports in TIME_WAIT at the end, %s/s in the first warmup iteration, %s/s measured",
                        g.label(), clientTw, ports, Format.number(rates[0]), Format.number(rates[1])));
                exhaustedPorts = ports;
                exhaustedSettings = String.format(Locale.ROOT, "tcp_tw_reuse = %s with tcp_timestamps = %s allows no reuse on %s",
                        settings.get("net.ipv4.tcp_tw_reuse"), settings.get("net.ipv4.tcp_timestamps"), r.path());
                slowedBeforeFailing |= clientTw < ports * 0.98;
                failedNoPort += g.failures().getOrDefault("addrNotAvailable", 0L);
            }
        }

        void report(List<String> found) {
            if (!exhausted.isEmpty()) {
                // "ran out" only when connect() failed; a range that filled without a failure slowed connect() instead
                StringBuilder s = new StringBuilder((failedNoPort > 0 ? "**The client ran out of ports** (" + exhaustedSettings + "): "
                        : "**The client's ports piled up in TIME_WAIT**, and no connect() failed ("
                        + exhaustedSettings + "): ") + String.join("; ", exhausted) + ".");
                if (slowedBeforeFailing) {
                    s.append(String.format(Locale.ROOT, " connect() tries local ports of one parity first (__inet_hash_connect), so once those"
                            + " %d are in TIME_WAIT every connect() scans them before it takes a port of the other parity: it slows down"
                            + " before it fails.", exhaustedPorts / 2));
                }
                if (failedNoPort > 0) {
                    s.append(String.format(Locale.ROOT, " With every port held, %d connect() calls failed with EADDRNOTAVAIL.", failedNoPort));
                }
                s.append(String.format(Locale.ROOT, " A TIME_WAIT socket lives %d s, so the model's sustained ceiling is %d ports / %d s = %s new"
                                + " connections/s per destination; a short run measures the way down to it, not the plateau.",
                        TcpModel.TIME_WAIT_SECONDS, exhaustedPorts, TcpModel.TIME_WAIT_SECONDS,
                        Format.number(TcpModel.portCeilingPerSecond(exhaustedPorts))));
                found.add(s.toString());
            }
            if (!reused.isEmpty()) {
                found.add("**TIME_WAIT reuse at work**: " + String.join("; ", reused) + ". connect() may take over a TIME_WAIT port"
                        + " when timestamps protect the new connection from the old one's segments, so the port range stops being the limit.");
            }
            if (!serverSide.isEmpty()) {
                found.add("**TIME_WAIT moves to the server** when the server closes first: " + String.join("; ", serverSide) + ". The"
                        + " server's TIME_WAIT is keyed by the whole 4-tuple, and a new SYN from a reused client port may replace it,"
                        + " so the client's ports stay free and the rate holds.");
            }
            if (!resets.isEmpty()) {
                found.add("**No TIME_WAIT with SO_LINGER 0**: " + String.join("; ", resets) + ". close() sends an RST instead of a FIN,"
                        + " so neither side keeps state and this mode never runs out of ports; the server sees every connection end in a reset.");
            }
        }
    }

    /** Complete cycles per second in the first warmup iteration and over the measurement iterations, from outcomes.csv. */
    static double[] firstWarmupAndMeasured(RunData.Result r) {
        double warm = Double.NaN;
        for (Map<String, String> o : r.outcomes()) {
            if ("warmup".equals(o.get("phase")) && "1".equals(o.get("iteration"))) {
                warm = Long.parseLong(o.get("ok")) / r.jmh().warmupSeconds();
                break;
            }
        }
        return new double[] {warm, r.jmh().counter("ok")};
    }

    private static void failures(Group g, List<String> found) {
        Map<String, Long> failed = g.failures();
        if (failed.isEmpty()) {
            return;
        }
        long total = failed.values().stream().mapToLong(Long::longValue).sum();
        long ok = g.measuredOk();
        List<String> causes = new ArrayList<>();
        failed.forEach((cause, n) -> causes.add(n + " " + cause));
        found.add(String.format(Locale.ROOT, "**%s** (%s): %d of %d attempts in the measurement failed (%s).%s",
                g.label(), g.first().mode(), total, total + ok, String.join(", ", causes),
                g.first().mode().equals("sample") ? " JMH cannot report them in SampleTime mode: the latency samples include these failed attempts."
                        : " The charts count complete cycles only; JMH's primary score counts every attempt."));
    }

    /** What made a latency tail, as the counters and outcomes tell it; NONE when they do not explain it. */
    enum Tail {
        NONE(""), OVERFLOW("max: dropped SYN resent after 1 s"), RETRANSMISSION("max: retransmission timeout"),
        SCAN("tail: connect() scans held ports"), ALL_SCAN("every cycle scans held ports");

        /** What a chart says beside the configuration. */
        final String note;

        Tail(String note) {
            this.note = note;
        }
    }

    /**
     * The cause of a sample configuration's tail: an accept-queue overflow (a dropped SYN waits the
     * 1 s initial timeout, so only a maximum near 1 s), a retransmission, or connect() scanning a port
     * range held in TIME_WAIT; when the range filled before the measurement began, every cycle scanned.
     */
    static Tail tail(Group g) {
        RunData.Result r = g.measured().get(0);
        double p50 = g.percentile("50.0");
        double max = g.percentile("100.0");
        if ((listener(r, "TcpExt.ListenOverflows") > 0 || listener(r, "TcpExt.ListenDrops") > 0) && max >= 0.9e6) {
            return Tail.OVERFLOW;
        }
        if (max > 1e5 && retransmitted(r) > 0) {
            return Tail.RETRANSMISSION;
        }
        if (!TimeWait.filledTheRange(r)) {
            return Tail.NONE;
        }
        Collapse c = Collapse.of(r);
        if (c.beforeMeasurement()) {
            return Tail.ALL_SCAN;
        }
        // a range that filled only at the end leaves the rate as it was: the scan cannot be the tail then (without outcomes, say it is)
        boolean fell = c.rates().length == 0 || c.collapsed();
        return max > 50 * p50 && fell ? Tail.SCAN : Tail.NONE;
    }

    private static long listener(RunData.Result r, String counter) {
        return r.path().equals("loopback") ? r.clientCounter(counter, RunData.DELTA) : r.serverCounter(counter, RunData.DELTA);
    }

    private static long retransmitted(RunData.Result r) {
        return r.clientCounter("Tcp.RetransSegs", RunData.DELTA) + (r.path().equals("loopback") ? 0 : r.serverCounter("Tcp.RetransSegs", RunData.DELTA));
    }

    /** A maximum far above the median is explained by an accept-queue overflow or a retransmission, or listed as unexplained. */
    private static void outliers(Group g, List<String> found, List<String> unexplained) {
        if (!g.hasData()) {
            return;
        }
        double p50 = g.percentile("50.0");
        double max = g.percentile("100.0");
        RunData.Result r = g.measured().get(0);
        long overflows = listener(r, "TcpExt.ListenOverflows");
        long retrans = retransmitted(r);
        switch (tail(g)) {
            case OVERFLOW -> found.add(String.format(Locale.ROOT, "**%s** (sample): the accept queue overflowed %s (TcpExt.ListenOverflows),"
                    + " dropping %s (ListenDrops); a dropped SYN is sent again after the 1 s initial retransmission timeout, which explains"
                    + " a maximum of %s against a median of %s.", g.label(), Format.count(overflows, "time"),
                    Format.count(listener(r, "TcpExt.ListenDrops"), "SYN"), Format.micros(max), Format.micros(p50)));
            case RETRANSMISSION -> found.add(String.format(Locale.ROOT, "**%s** (sample): the maximum of %s is a retransmission timeout: %s retransmitted"
                    + " (Tcp.RetransSegs) and no accept-queue overflow counted.", g.label(), Format.micros(max),
                    Format.count(retrans, "segment")));
            case SCAN, ALL_SCAN -> found.add(String.format(Locale.ROOT, "**%s** (sample): the %s (p50 %s, p99 %s, max %s) is connect() scanning held"
                                    + " ports: once one parity of the range is in TIME_WAIT (%d of %d ports held at the end), each connect() examines"
                                    + " those before it finds a free port (__inet_hash_connect).", g.label(),
                            tail(g) == Tail.ALL_SCAN ? "whole distribution, the range having filled in the warmup," : "tail",
                            Format.micros(p50), Format.micros(g.percentile("99.0")), Format.micros(max),
                            r.clientCounter("state.TIME_WAIT", RunData.AFTER), TcpModel.portCount(r.sysctls())));
            case NONE -> {
                if (max > 50 * p50) {
                    unexplained.add(String.format(Locale.ROOT, "%s: max %s = %.0f × p50, %s, %s",
                            g.label(), Format.micros(max), max / p50, Format.count(retrans, "retransmitted segment"),
                            Format.count(overflows, "accept-queue overflow")));
                }
            }
        }
    }

    /** SO_REUSEADDR on a client socket: with and without, same everything else. */
    private static void reuseAddr(List<Group> groups, List<String> found) {
        for (Group with : groups) {
            if (!with.hasData() || !"true".equals(with.first().params().get("reuseAddr"))) {
                continue;
            }
            for (Group without : groups) {
                if (without.hasData() && sameExcept(with.first(), without.first(), "reuseAddr")) {
                    double a = with.okRate();
                    double b = without.okRate();
                    boolean bars = !Double.isNaN(with.okError()) && !Double.isNaN(without.okError());
                    boolean within = Math.abs(a - b) <= nanToZero(with.okError()) + nanToZero(without.okError());
                    found.add(String.format(Locale.ROOT, "**SO_REUSEADDR on the client** (%s): %s/s with, %s/s without (%+.0f %%), %s."
                                    + " The option changes what bind() allows, not how connect() picks a port, so no difference is expected.",
                            without.label(), Format.number(a), Format.number(b), 100 * (a - b) / b,
                            !bars ? "with no error bars to judge it by (too few iterations): compare with PLAN=full"
                                    : within ? "within the error bars" : "outside the error bars: compare with PLAN=full before drawing a conclusion"));
                }
            }
        }
    }

    /** New connection per request against one kept-alive connection, per path. */
    private static void connectionReuse(List<Group> groups, List<String> found) {
        for (Group fresh : groups) {
            if (!fresh.hasData() || !"NEW_CONNECTION".equals(fresh.first().params().get("style"))) {
                continue;
            }
            for (Group kept : groups) {
                if (kept.hasData() && sameExcept(fresh.first(), kept.first(), "style")) {
                    found.add(String.format(Locale.ROOT, "**Connection reuse** (%s): one kept-alive connection served %s requests/s, a new"
                                    + " connection per request %s/s (%.0f times fewer), and left %d sockets in TIME_WAIT on the client against %d.",
                            fresh.first().path(), Format.number(kept.okRate()), Format.number(fresh.okRate()), kept.okRate() / fresh.okRate(),
                            fresh.first().clientCounter("state.TIME_WAIT", RunData.AFTER),
                            kept.first().clientCounter("state.TIME_WAIT", RunData.AFTER)));
                }
            }
        }
    }

    private static void noise(RunData data, List<String> found) {
        List<String> noisy = new ArrayList<>();
        for (String benchmark : BENCHMARKS) {
            for (Group g : Group.of(data.results(), benchmark, "thrpt")) {
                if (g.hasData() && g.okError() > 0.3 * g.okRate()) {
                    noisy.add(g.label());
                }
            }
        }
        if (!noisy.isEmpty()) {
            found.add("**Wide error bars** (more than 30 % of the value): " + String.join(", ", noisy) + ". Few short iterations"
                    + (data.metadata().has("remote") ? "" : " on two shared cores") + " give wide confidence intervals, and a configuration"
                    + " that fills its port range changes rate from one iteration to the next; " + (data.metadata().has("remote")
                    ? "use longer iterations and more repetitions (a plan's jmh settings) for numbers to quote."
                    : data.metadata().path("plan").path("name").asText().equals("quick")
                    ? "use PLAN=full (repetitions in fresh namespaces) for numbers to quote."
                    : "where the rate falls within a configuration, the cycles-by-iteration chart shows where: quote the rate before the"
                    + " fall, or the TIME_WAIT model, not the mean."));
        }
    }

    private static boolean sameExcept(RunData.Result a, RunData.Result b, String param) {
        if (!a.path().equals(b.path()) || a.threads() != b.threads()) {
            return false;
        }
        Map<String, String> pa = new HashMap<>(a.params());
        Map<String, String> pb = new HashMap<>(b.params());
        pa.remove(param);
        pb.remove(param);
        return pa.equals(pb) && !Objects.equals(a.params().get(param), b.params().get(param));
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
