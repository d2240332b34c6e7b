package tcplab.run;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.benchmarks.OutcomeLog;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.KernelFeatures;
import tcplab.kernel.Sysctl;
import tcplab.lab.JavaCommand;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.LabHost;
import tcplab.lab.LabLauncher;
import tcplab.lab.Processes;
import tcplab.lab.ServerProcess;
import tcplab.experiment.Trial;
import tcplab.plan.BenchmarkConfiguration;
import tcplab.plan.Configuration;
import tcplab.lab.NetworkPath;
import tcplab.plan.ExperimentConfiguration;
import tcplab.profile.Profile;
import tcplab.results.Format;
import tcplab.results.JmhResult;
import tcplab.results.RunFolder;
import tcplab.results.Summary;
import tcplab.server.ClosePolicy;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.Target;

/**
 * The lab side of a run: each configuration (a benchmark or an experiment) in its own fresh pair of
 * hosts, one after another,
 * with the raw rows written as they come. Runs inside the lab's namespaces (see
 * {@link tcplab.lab.LabLauncher}); SIGINT or SIGTERM stops the current configuration, records it
 * as interrupted and keeps everything written so far.
 */
public final class LabRun {
    /** How long a configuration waits for another run on this machine before it gives up. */
    static final Duration LOCK_WAIT = Duration.ofHours(2);
    /** How long the current configuration waited for the lock. */
    private Duration waited = Duration.ZERO;
    private static final Pattern ITERATION = Pattern.compile("^(# Warmup Iteration|Iteration|# Fork:)\\s*(.*)$");

    private final Profile profile;
    private final boolean hostMode;
    /** The other machine of a two-machine run, or null. */
    private final LabHost remoteServer;
    private final List<Configuration> configurations;
    private final RunFolder folder;
    private final Path benchmarksJar;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    /** A two-machine run whose link to the server went: it ends as interrupted. */
    private volatile boolean linkLost;
    private volatile Process current;
    private volatile ServerProcess currentServer;
    private volatile Trial currentTrial;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tcplab-watchdog");
        t.setDaemon(true);
        return t;
    });

    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar) {
        this(profile, configurations, folder, benchmarksJar, false);
    }

    /** With {@code hostMode}, configurations run on this machine itself (see {@link Lab#here}); those that need two hosts are skipped. */
    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, boolean hostMode) {
        this(profile, configurations, folder, benchmarksJar, hostMode, null);
    }

    /**
     * A two-machine run: this machine the client (host mode), {@code server} another machine reached
     * over ssh; configurations that cannot run across two machines are skipped with the reason.
     */
    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, LabHost server) {
        this(profile, configurations, folder, benchmarksJar, true, server);
    }

    private LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, boolean hostMode,
                   LabHost remoteServer) {
        this.remoteServer = remoteServer;
        this.hostMode = hostMode;
        this.profile = profile;
        this.configurations = configurations;
        this.folder = folder;
        this.benchmarksJar = benchmarksJar;
    }

    /** Runs every configuration; returns 0 when all produced results, 1 when any failed, 130 when stopped. */
    public int execute() throws IOException {
        Thread hook = new Thread(this::stop, "tcplab-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Duration total = configurations.stream().filter(c -> remoteServer == null || TwoMachines.skipReason(c) == null)
                .map(Configuration::expected).reduce(Duration.ZERO, Duration::plus);
        say(String.format(Locale.ROOT, "tcplab: %s under profile %s, about %s; %s",
                Format.count(configurations.size(), "configuration"), profile.name(), Format.clock(total),
                remoteServer != null ? "the server side on " + remoteServer.address() + " (another machine), the client here"
                        : hostMode ? "on this machine" : "each in fresh namespaces"));
        long runStart = System.nanoTime();
        int failed = 0;
        try (RunFolder.CsvLog rows = folder.csv(RunFolder.CONFIGURATIONS, RunFolder.CONFIGURATION_COLUMNS);
             RunFolder.CsvLog sysctls = folder.csv(RunFolder.SYSCTLS, RunFolder.SYSCTL_COLUMNS);
             RunFolder.CsvLog counters = folder.csv(RunFolder.COUNTERS, RunFolder.COUNTER_COLUMNS)) {
            for (Configuration c : configurations) {
                if (stopping || linkLost) {
                    break;
                }
                say(String.format(Locale.ROOT, "[%d/%d] %s %s (about %s; %s of about %s elapsed)", c.index(), configurations.size(),
                        c.name(), (c.mode().isEmpty() ? "" : c.mode() + " ") + c.conditions().replace(';', ' '),
                        Format.clock(c.expected()), Format.clock(Duration.ofNanos(System.nanoTime() - runStart)), Format.clock(total)));
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                waited = Duration.ZERO;
                String[] outcome = runOne(c, sysctls, counters);
                if (stopping && !outcome[0].equals("ok")) {
                    outcome = new String[] {"interrupted", "stopped by a signal"};
                }
                if (!outcome[0].equals("ok") && !outcome[0].equals("skipped")) {
                    failed++;
                }
                // the time spent waiting for another run's measurement is not this configuration's
                double seconds = (System.nanoTime() - t0 - waited.toNanos()) / 1e9;
                if (waited.toMillis() >= 500) {
                    outcome[1] += String.format(Locale.ROOT, " (after waiting %.0f s for another run)", waited.toNanos() / 1e9);
                }
                rows.row(c.index(), c.id(), c.type(), c.name(), c.mode(), c.path().label(), c.threads(), c.repetition(),
                        c.conditions(), c.sysctlConditions(), outcome[0], started.toString(), String.format(Locale.ROOT, "%.1f", seconds),
                        outcome[1]);
                say(String.format(Locale.ROOT, "        %s in %.1f s: %s", outcome[0], seconds, outcome[1]));
            }
        } finally {
            watchdog.shutdownNow();
            finished.countDown();
        }
        if (linkLost) {
            Runtime.getRuntime().removeShutdownHook(hook);
            return 1;
        }
        if (stopping) {
            return LabLauncher.INTERRUPTED;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        return failed == 0 ? 0 : 1;
    }

    /** Runs one configuration in fresh hosts; returns {status, message}. */
    private String[] runOne(Configuration c, RunFolder.CsvLog sysctls, RunFolder.CsvLog counters) throws IOException {
        if (remoteServer != null) {
            String skip = TwoMachines.skipReason(c);
            if (skip != null) {
                return new String[] {"skipped", skip};
            }
            if (!remoteServer.reachable()) {
                linkLost = true;
                return new String[] {"interrupted", "the link to the server machine is gone; the rest of the plan is not run"};
            }
        } else if (hostMode && (c instanceof ExperimentConfiguration || c.path() != NetworkPath.LOOPBACK)) {
            return new String[] {"skipped", "host mode runs the loopback path only; this configuration needs the lab's two hosts"
                    + " (namespace mode)"};
        }
        for (String key : c.sysctls().keySet()) {
            String missing = KernelFeatures.skipReason(key, Sysctl.of(key).exists(), KernelFeatures.release());
            if (missing != null) {
                return new String[] {"skipped", missing};
            }
        }
        try (Lab lab = remoteServer != null ? Lab.remote(profile, remoteServer) : hostMode ? Lab.here(profile) : Lab.create(profile, c.sysctls());
             TwoMachines.Cleanup cleanup = new TwoMachines.Cleanup(lab, c.id())) {
            Map<String, String> settings = Map.of();
            for (LabHost host : lab.hosts()) {
                Map<String, String> readBack = lab.readBack(host);
                settings = host == lab.client() ? readBack : settings;
                for (Map.Entry<String, String> e : readBack.entrySet()) {
                    sysctls.row(c.id(), host.name(), e.getKey(), e.getValue());
                }
            }
            Map<String, Long> clientBefore = KernelCounters.read(lab.client().procNet());
            Map<String, Long> serverBefore = KernelCounters.read(lab.server().procNet());
            // the kernel's view at the end of the measurement, before anything is stopped
            CounterSnapshot after = () -> {
                writeCounters(counters, c, lab.client().name(), clientBefore, KernelCounters.read(lab.client().procNet()));
                if (lab.server() != lab.client()) { // host mode: one machine, counted once
                    writeCounters(counters, c, lab.server().name(), serverBefore, KernelCounters.read(lab.server().procNet()));
                }
            };
            try (MeasurementLock turn = MeasurementLock.acquire(LOCK_WAIT, this::say)) {
                waited = turn.waited();
                if (c instanceof BenchmarkConfiguration b) {
                    return benchmark(lab, b, after);
                }
                return experiment(lab, (ExperimentConfiguration) c, settings, after);
            }
        } catch (LabException e) {
            return new String[] {"failed", e.oneLine()};
        } catch (java.nio.file.NoSuchFileException e) {
            // a host's /proc/PID/net vanished: its holder died under the configuration
            return new String[] {"failed", "a lab host disappeared during the configuration (" + e.getFile() + ")"};
        }
    }

    /** Reads the kernel's counters at the end of a configuration. */
    private interface CounterSnapshot {
        void write() throws IOException;
    }

    private String[] benchmark(Lab lab, BenchmarkConfiguration c, CounterSnapshot after) throws IOException, LabException {
        int exit;
        try (ServerProcess server = ServerProcess.start(c.path().serverHost(lab), c.path().serverAddress(lab), serverPolicy(c),
                c.bound().plusSeconds(30), folder.raw(c.id(), ".server.csv"), folder.raw(c.id(), ".server.log"))) {
            currentServer = server;
            exit = runJmh(lab, c, server.address());
            after.write();
        } finally {
            currentServer = null;
        }
        return outcome(c, exit);
    }

    private String[] experiment(Lab lab, ExperimentConfiguration c, Map<String, String> settings, CounterSnapshot after) throws IOException {
        try (Trial trial = new Trial(c.experiment(), c.id(), c.resolved(), c.path(), lab, folder, settings, c.expected(), c.bound(),
                this::say)) {
            currentTrial = trial;
            ScheduledFuture<?> bound = watchdog.schedule(trial::abort, c.bound().toMillis(), TimeUnit.MILLISECONDS);
            try {
                c.experiment().run(trial);
                after.write();
                if (trial.aborted()) { // it stopped at the bound, perhaps without an error: what it wrote is partial
                    return timedOut(c);
                }
                return new String[] {"ok", "done"};
            } catch (Exception e) {
                try {
                    after.write();
                } catch (IOException unreadable) {
                    // the hosts may be gone with the failure; the failure is what gets reported
                }
                if (stopping) {
                    return new String[] {"interrupted", "stopped by a signal"};
                }
                if (trial.aborted()) {
                    return timedOut(c);
                }
                return new String[] {"failed", e instanceof LabException ? ((LabException) e).oneLine() : String.valueOf(e)};
            } finally {
                bound.cancel(false);
                currentTrial = null;
            }
        }
    }

    private static String[] timedOut(ExperimentConfiguration c) {
        return new String[] {"timeout", "stopped after " + Format.clock(c.bound()) + " (see raw/" + c.id() + ".*.log)"};
    }

    private int runJmh(Lab lab, BenchmarkConfiguration c, String target) throws IOException {
        Path log = folder.raw(c.id(), ".jmh.log");
        Path tmp = folder.scratch();
        ProcessBuilder builder = new ProcessBuilder(lab.client().command(
                JavaCommand.benchmarks(benchmarksJar, tmp, c.jmhArgs(profile.name(), folder.raw(c.id(), ".jmh.json").toString()))))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(Target.LAB_TARGET_ENV, target);
        builder.environment().put(OutcomeLog.ENV, folder.raw(c.id(), ".outcomes.csv").toString());
        Process jmh = builder.start();
        current = jmh;
        try {
            return watch(jmh, log, c.bound());
        } finally {
            current = null;
            folder.clearScratch();
        }
    }

    /** Waits for JMH within the bound, echoing its iteration lines as progress. */
    private int watch(Process jmh, Path log, Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        while (true) {
            boolean exited;
            try {
                exited = jmh.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = false;
                stopping = true;
            }
            offset = echo(log, offset, partial);
            if (exited) {
                return jmh.exitValue();
            }
            if (stopping || System.nanoTime() - deadline > 0) {
                Processes.killTree(jmh.toHandle());
                return -1;
            }
        }
    }

    private long echo(Path log, long offset, StringBuilder partial) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() <= offset) {
                return offset;
            }
            file.seek(offset);
            byte[] bytes = new byte[(int) Math.min(1 << 20, file.length() - offset)];
            file.readFully(bytes);
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                Matcher m = ITERATION.matcher(partial.substring(0, newline).trim());
                if (m.matches()) {
                    String kind = m.group(1).equals("# Warmup Iteration") ? "warmup" : m.group(1).equals("# Fork:") ? "fork" : "iteration";
                    say("        " + kind + " " + m.group(2).replaceAll("\\s+", " "));
                }
                partial.delete(0, newline + 1);
            }
            return offset + bytes.length;
        }
    }

    private String[] outcome(BenchmarkConfiguration c, int exit) throws IOException {
        Path json = folder.raw(c.id(), ".jmh.json");
        if (exit == -1) {
            return new String[] {stopping ? "interrupted" : "timeout",
                    stopping ? "stopped by a signal" : "killed after " + Format.clock(c.bound()) + " (see raw/" + c.id() + ".jmh.log)"};
        }
        if (exit != 0 || !Files.exists(json)) {
            Path log = folder.raw(c.id(), ".jmh.log");
            if (Files.exists(log) && Files.readString(log).contains("Unable to acquire the JMH lock")) {
                return new String[] {"failed", "another JMH benchmark is running on this machine (it holds /tmp/jmh.lock); benchmarks"
                        + " share the CPU, so run one tcplab at a time"};
            }
            return new String[] {"failed", "JMH exited with " + exit + ": " + lastLines(log)};
        }
        List<JmhResult> results = JmhResult.read(json);
        if (results.isEmpty()) {
            return new String[] {"failed", "JMH wrote no result (see raw/" + c.id() + ".jmh.log)"};
        }
        return new String[] {"ok", Summary.of(results.get(0))};
    }

    private static String lastLines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "no output";
        }
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static void writeCounters(RunFolder.CsvLog out, Configuration c, String host, Map<String, Long> before,
                                      Map<String, Long> after) throws IOException {
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long b = before.getOrDefault(e.getKey(), 0L);
            out.row(c.id(), host, e.getKey(), b, e.getValue(), e.getValue() - b);
        }
    }

    /**
     * The server behaviour the benchmark expects: one with a close mode (always pinned, see
     * {@code PlanLoader.pinned}) gets the matching policy; one without, a request/response
     * benchmark, gets answers until the client closes.
     */
    static ClosePolicy serverPolicy(BenchmarkConfiguration c) {
        String closeMode = c.params().get("closeMode");
        if (closeMode == null) {
            return ClosePolicy.ANSWER;
        }
        return ClosePolicy.forClient(CloseMode.valueOf(closeMode), Exchange.valueOf(c.params().getOrDefault("exchange", "NONE")));
    }

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
        folder.log(line);
    }

    /** Shutdown hook: stop what runs now and wait (bounded) until its row is written. */
    private void stop() {
        stopping = true;
        Process jmh = current;
        if (jmh != null) {
            Processes.killTree(jmh.toHandle());
        }
        ServerProcess server = currentServer;
        if (server != null) {
            server.close();
        }
        Trial trial = currentTrial;
        if (trial != null) {
            trial.abort();
        }
        try {
            finished.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
