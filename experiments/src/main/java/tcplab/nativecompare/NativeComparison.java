package tcplab.nativecompare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.benchmarks.OutcomeLog;
import tcplab.chart.Figures;
import tcplab.kernel.KernelCounters;
import tcplab.lab.JavaCommand;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.Processes;
import tcplab.lab.ServerProcess;
import tcplab.profile.Profile;
import tcplab.results.Format;
import tcplab.results.JmhResult;
import tcplab.results.Metadata;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.run.LabRun;
import tcplab.run.MeasurementLock;
import tcplab.socket.CloseMode;
import tcplab.socket.Target;

/**
 * Is tcplab the bottleneck? Each {@link Comparison} measures a side of tcplab and C code doing the
 * same work on the same veth path, one after the other, in rounds whose order alternates, each
 * measurement in fresh namespaces. Every measurement is a row of native-comparison.csv as soon as it
 * is made; the summary and the chart are drawn from that file alone ({@link #draw}).
 */
public final class NativeComparison {
    public static final String CSV = "native-comparison.csv";
    public static final String SUMMARY = "summary.md";
    /**
     * The C client's warmup before it counts, and JMH's warmup: both servers and the JMH client get
     * it, and a fresh JVM server needs it most, its loop still on its way to C2 (3 s, against 1 s,
     * changed none of the ratios beyond the rounds' spread here, but a reader should not have to ask).
     */
    public static final int WARMUP_SECONDS = 3;
    private static final Pattern C_CLIENT = Pattern.compile("ok=(\\d+) failed=(\\d+) seconds=([0-9.]+) rate=([0-9.]+) cpu_us=([0-9.]+) all=(\\d+)");

    /** ConnectCloseBenchmark's failure counters (tcplab.benchmarks.Outcomes). */
    private static final List<String> FAILURES = List.of("addrNotAvailable", "refused", "timedOut", "reset", "other");

    /** What the lab runs: the benchmarks jar and the two C programs compare-native built. */
    public record Binaries(Path benchmarksJar, Path cClient, Path cServer) {
    }

    private final Profile profile;
    private final List<Comparison> comparisons;
    private final int rounds;
    private final int seconds;
    private final int warmup;
    private final RunFolder folder;
    private final Binaries binaries;

    public NativeComparison(Profile profile, List<Comparison> comparisons, int rounds, int warmup, int seconds, RunFolder folder,
                            Binaries binaries) {
        this.profile = profile;
        this.comparisons = List.copyOf(comparisons);
        this.rounds = rounds;
        this.warmup = warmup;
        this.seconds = seconds;
        this.folder = folder;
        this.binaries = binaries;
    }

    /**
     * Roughly how long one measurement takes: fresh namespaces and a server, the warmup, the seconds,
     * and a JVM's start for JMH. The 2 s, averaged over both contenders, are from the default run on
     * the 2 GHz Xeon (100 measurements of 3 + 5 s in 16 min 35 s, 2026-12-03).
     */
    public static Duration expected(int warmup, int seconds) {
        return Duration.ofMillis(2000 + 1000L * (warmup + seconds));
    }

    /** Runs every round of every comparison, then writes the summary and the chart. */
    public List<Ratios.Result> execute() throws IOException, LabException {
        int total = rounds * comparisons.size() * 2;
        int done = 0;
        long start = System.nanoTime();
        say(String.format(Locale.ROOT, "compare-native: %s × %s × 2 contenders, %d s each after %d s of warmup, about %s",
                Format.count(rounds, "round"), Format.count(comparisons.size(), "comparison"), seconds, warmup,
                Format.clock(expected(warmup, seconds).multipliedBy(total))));
        try (RunFolder.CsvLog rows = folder.csv(CSV, Measurement.COLUMNS)) {
            for (int round = 1; round <= rounds; round++) {
                for (Comparison comparison : comparisons) {
                    // alternate which goes first, so a drift of the machine does not favour one contender
                    List<Comparison.Contender> order = round % 2 == 1 ? List.of(Comparison.Contender.C, Comparison.Contender.TCPLAB)
                            : List.of(Comparison.Contender.TCPLAB, Comparison.Contender.C);
                    for (Comparison.Contender contender : order) {
                        Measurement m = measure(comparison, contender, round);
                        rows.row(m.row());
                        done++;
                        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                        Duration left = elapsed.dividedBy(done).multipliedBy(total - done);
                        say(String.format(Locale.ROOT, "[%d/%d] round %d, %s, %s: %s cycles/s%s%s · %d %% done, about %s left", done, total,
                                round, comparison.label(), contender.word(), Format.number(m.okPerSecond()),
                                m.failed() > 0 ? " (" + m.failed() + " failed)" : "", cpuSaid(m) + stallsSaid(m), 100 * done / total,
                                Format.clock(left)));
                    }
                }
            }
        }
        List<Ratios.Result> results = draw(folder);
        say(Files.readString(folder.file(SUMMARY)).strip());
        return results;
    }

    /** The summary (Markdown) and the chart, from native-comparison.csv alone: a run's folder can be redrawn without measuring. */
    public static List<Ratios.Result> draw(RunFolder folder) throws IOException {
        List<Measurement> rows = RunFolder.read(folder.file(CSV)).stream().map(Measurement::of).toList();
        List<Ratios.Result> results = Ratios.of(rows);
        Files.writeString(folder.file(SUMMARY), Ratios.table(results));
        // the footer a pasted chart keeps: tcplab's version, the kernel, the profile, the run
        var m = Files.exists(folder.file(RunFolder.METADATA)) ? Metadata.read(folder.file(RunFolder.METADATA)) : Metadata.JSON.createObjectNode();
        // the commit and the machine too: the same version answered differently on two VMs the same day
        String commit = m.path("tcplab").path("commit").asText("");
        String version = m.path("tcplab").path("version").asText("?") + (commit.length() >= 7 ? " (" + commit.substring(0, 7) + ")" : "");
        String cpu = m.path("machine").path("cpuModel").asText("");
        String kernel = m.path("machine").path("kernelRelease").asText("")
                + (cpu.isEmpty() ? "" : " · " + cpu + " × " + m.path("machine").path("cpus").asInt());
        RatioChart.draw(results, new Figures(folder.dir(), new Figures.Context(version, kernel, m.path("profile").asText(""), "",
                folder.dir().getFileName().toString(), false)));
        return results;
    }

    private static String stallsSaid(Measurement m) {
        return m.synRetransmits() + m.listenDrops() == 0 ? "" : String.format(Locale.ROOT, ", SYNs sent again: %d, dropped by the server: %d",
                m.synRetransmits(), m.listenDrops());
    }

    private static String cpuSaid(Measurement m) {
        List<String> parts = new ArrayList<>();
        if (!Double.isNaN(m.clientCpuMicrosPerCycle())) {
            parts.add("client " + Format.micros(m.clientCpuMicrosPerCycle()));
        }
        if (!Double.isNaN(m.serverCpuMicrosPerCycle())) {
            parts.add("server " + Format.micros(m.serverCpuMicrosPerCycle()));
        }
        return parts.isEmpty() ? "" : ", CPU per cycle: " + String.join(", ", parts);
    }

    /** One contender of one comparison in one round, in fresh namespaces. */
    private Measurement measure(Comparison comparison, Comparison.Contender contender, int round) throws IOException, LabException {
        String id = comparison.id() + "-" + contender.word() + "-r" + round;
        Duration lifetime = Duration.ofSeconds(warmup + seconds + 120L);
        try (Lab lab = Lab.create(profile);
             MeasurementLock turn = MeasurementLock.acquire(LabRun.LOCK_WAIT, this::say);
             ServerProcess server = comparison.tcplabServer(contender)
                     ? ServerProcess.start(lab.server(), Lab.SERVER_ADDRESS, comparison.serverPolicy(), lifetime,
                             folder.raw(id, ".server.csv"), folder.raw(id, ".server.log"))
                     : ServerProcess.startNative(lab.server(), binaries.cServer(), Lab.SERVER_ADDRESS,
                             comparison.exchange() == tcplab.socket.Exchange.REQUEST, lifetime, folder.raw(id, ".server.log"))) {
            Map<String, Long> clientBefore = KernelCounters.mib(lab.client().procNet());
            Map<String, Long> serverBefore = KernelCounters.mib(lab.server().procNet());
            Measurement m = comparison.tcplabClient(contender) ? jmh(lab, server, comparison, contender, round, id)
                    : cClient(lab, server, comparison, contender, round, id);
            long synRetransmits = delta(clientBefore, KernelCounters.mib(lab.client().procNet()), "TcpExt.TCPSynRetrans");
            long listenDrops = delta(serverBefore, KernelCounters.mib(lab.server().procNet()), "TcpExt.ListenDrops");
            return m.withStalls(synRetransmits, listenDrops);
        }
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    /**
     * The C client, which counts its own CPU and cycles. The server's CPU is read when the client's
     * warmup ends and again when it stops, so its CPU per cycle covers the counted seconds too (the two
     * clocks start a few milliseconds apart: under 1 % of a 5 s count).
     */
    private Measurement cClient(Lab lab, ServerProcess server, Comparison comparison, Comparison.Contender contender, int round, String id)
            throws IOException, LabException {
        String target = server.address();
        List<String> command = lab.client().command(List.of(binaries.cClient().toString(), target.substring(0, target.lastIndexOf(':')),
                target.substring(target.lastIndexOf(':') + 1), Integer.toString(warmup), Integer.toString(seconds),
                comparison.closeMode() == CloseMode.CLIENT_RST ? "0" : "-1", Integer.toString(comparison.threads()),
                comparison.exchange() == tcplab.socket.Exchange.REQUEST ? "1" : "0"));
        Path log = folder.raw(id, ".client.log");
        Process client = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long serverCpuAtCount;
        try {
            // the client counts once its warmup is over; if it ends sooner it failed, and that is said below
            client.waitFor(warmup * 1000L, TimeUnit.MILLISECONDS);
            serverCpuAtCount = server.cpuMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.destroyForcibly();
            throw new LabException("interrupted", "run it again");
        }
        int exit = Processes.waitOrKill(client, Duration.ofSeconds(warmup + seconds + 30L));
        long serverCpu = server.cpuMillis() - serverCpuAtCount;
        String out = Files.readString(log);
        Matcher m = C_CLIENT.matcher(out);
        if (exit != 0 || !m.find()) {
            throw new LabException("the C client failed (exit " + exit + "): " + out.strip(), "see " + log + " and benchmarks/src/main/c/connect_close.c");
        }
        long ok = Long.parseLong(m.group(1));
        double clientCpu = ok > 0 ? Double.parseDouble(m.group(5)) / ok : Double.NaN;
        double serverPerCycle = ok > 0 ? serverCpu * 1000.0 / ok : Double.NaN;
        return new Measurement(round, comparison, contender, Double.parseDouble(m.group(4)), Long.parseLong(m.group(2)), seconds,
                clientCpu, serverPerCycle, 0, 0);
    }

    /**
     * ConnectCloseBenchmark in its own JVM, as a plan runs it. Its CPU per cycle is its JVM's own over
     * the measurement iterations (Outcomes' cpu_ns). JMH's iterations are not visible from here, so the
     * server's CPU per cycle is over the whole JMH run and every cycle in it, warmup included;
     * the JVM's start-up before the first cycle costs an idle server nothing to speak of.
     */
    private Measurement jmh(Lab lab, ServerProcess server, Comparison comparison, Comparison.Contender contender, int round, String id)
            throws IOException, LabException {
        Path json = folder.raw(id, ".jmh.json");
        List<String> args = List.of("^tcplab\\.benchmarks\\.ConnectCloseBenchmark\\.connectClose$", "-bm", "thrpt", "-tu", "s",
                "-f", "1", "-wi", "1", "-w", warmup + "s", "-i", Integer.toString(seconds), "-r", "1s", "-foe", "true",
                "-t", Integer.toString(comparison.threads()), "-p", "closeMode=" + comparison.closeMode(), "-p", "reuseAddr=false",
                "-p", "exchange=" + comparison.exchange(), "-p", "profile=" + profile.name(), "-p", "target=" + server.address(),
                "-rf", "json", "-rff", json.toString());
        ProcessBuilder builder = new ProcessBuilder(lab.client().command(JavaCommand.benchmarks(binaries.benchmarksJar(), folder.scratch(), args)))
                .redirectErrorStream(true).redirectOutput(folder.raw(id, ".jmh.log").toFile());
        builder.environment().remove(Target.LAB_TARGET_ENV);
        Path outcomes = folder.raw(id, ".outcomes.csv");
        builder.environment().put(OutcomeLog.ENV, outcomes.toString());
        long serverCpuBefore = server.cpuMillis();
        int exit;
        try {
            exit = Processes.waitOrKill(builder.start(), Duration.ofSeconds(warmup + seconds + 60L));
        } finally {
            folder.clearScratch();
        }
        List<JmhResult> results = exit == 0 ? JmhResult.read(json) : List.of();
        if (results.isEmpty()) {
            throw new LabException("the benchmark failed (exit " + exit + ")", "see " + folder.raw(id, ".jmh.log"));
        }
        long serverCpu = server.cpuMillis() - serverCpuBefore;
        JmhResult r = results.get(0);
        List<Map<String, String>> rows = RunFolder.read(outcomes);
        double serverPerCycle = Double.NaN;
        long allCycles = rows.stream().mapToLong(o -> Long.parseLong(o.getOrDefault("ok", "0"))).sum();
        if (allCycles > 0) {
            serverPerCycle = serverCpu * 1000.0 / allCycles;
        }
        // the failure counters (Outcomes), per second like "ok": the primary score less "ok" is not it, as JMH times threads apart
        double failedPerSecond = 0;
        for (String cause : FAILURES) {
            failedPerSecond += r.counter(cause);
        }
        return new Measurement(round, comparison, contender, r.counter("ok"), Math.round(failedPerSecond * seconds), seconds,
                RunData.cpuMicrosPerCycle(rows, true), serverPerCycle, 0, 0);
    }

    private void say(String line) {
        System.out.println(line);
        folder.log(line);
    }
}
