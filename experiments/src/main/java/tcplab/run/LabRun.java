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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
import tcplab.experiment.Pace;
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
    public static final Duration LOCK_WAIT = Duration.ofHours(2);
    /** How often a status line comes while configurations run side by side. */
    static final Duration STATUS_EVERY = Duration.ofSeconds(15);
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
    /** Timer-bound configurations side by side (1: one at a time, as host mode and two machines always run). */
    private final int slots;
    private volatile long runStart = System.nanoTime();
    /** What has not started yet, in the schedule's order. */
    private final Queue<Configuration> pending = new ConcurrentLinkedQueue<>();
    /** What runs now, by index, and what ran beside each configuration (both guarded by {@code running}). */
    private final Map<Integer, Running> running = new TreeMap<>();
    private final Map<Integer, Set<Integer>> neighbours = new HashMap<>();
    private final AtomicInteger failed = new AtomicInteger();
    private final Set<Process> currentJmh = ConcurrentHashMap.newKeySet();
    private final Set<ServerProcess> currentServers = ConcurrentHashMap.newKeySet();
    private final Set<Trial> currentTrials = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tcplab-status");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService watchdog = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "tcplab-watchdog");
        t.setDaemon(true);
        return t;
    });

    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar) {
        this(profile, configurations, folder, benchmarksJar, false);
    }

    /** In fresh namespaces, with up to {@code slots} timer-bound configurations side by side. */
    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, int slots) {
        this(profile, configurations, folder, benchmarksJar, false, null, slots);
    }

    /** With {@code hostMode}, configurations run on this machine itself (see {@link Lab#here}); those that need two hosts are skipped. */
    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, boolean hostMode) {
        this(profile, configurations, folder, benchmarksJar, hostMode, null, 1);
    }

    /**
     * A two-machine run: this machine the client (host mode), {@code server} another machine reached
     * over ssh; configurations that cannot run across two machines are skipped with the reason.
     */
    public LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, LabHost server) {
        this(profile, configurations, folder, benchmarksJar, true, server, 1);
    }

    private LabRun(Profile profile, List<Configuration> configurations, RunFolder folder, Path benchmarksJar, boolean hostMode,
                   LabHost remoteServer, int slots) {
        if (slots < 1 || (slots > 1 && (hostMode || remoteServer != null))) {
            throw new IllegalArgumentException("side by side only in fresh namespaces: " + slots);
        }
        this.slots = slots;
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
        List<Configuration> runnable = configurations.stream().filter(c -> remoteServer == null || TwoMachines.skipReason(c) == null).toList();
        Schedule schedule = Schedule.of(configurations, slots);
        Duration total = Schedule.of(runnable, slots).expected();
        say(String.format(Locale.ROOT, "tcplab: %s under profile %s, about %s; %s",
                Format.count(configurations.size(), "configuration"), profile.name(), Format.clock(total),
                remoteServer != null ? "the server side on " + remoteServer.address() + " (another machine), the client here"
                        : hostMode ? "on this machine"
                        : slots == 1 ? "each in fresh namespaces, one at a time"
                        : "each in fresh namespaces; up to " + slots + " timer-bound ones side by side, then the CPU-bound ones alone"));
        runStart = System.nanoTime();
        pending.addAll(schedule.order());
        try (RunFolder.CsvLog rows = folder.csv(RunFolder.CONFIGURATIONS, RunFolder.CONFIGURATION_COLUMNS);
             RunFolder.CsvLog sysctls = folder.csv(RunFolder.SYSCTLS, RunFolder.SYSCTL_COLUMNS);
             RunFolder.CsvLog counters = folder.csv(RunFolder.COUNTERS, RunFolder.COUNTER_COLUMNS)) {
            Logs logs = new Logs(rows, sysctls, counters);
            sideBySide(schedule.timerBound(), logs);
            for (Configuration c : schedule.cpuBound()) {
                if (stopping || linkLost) {
                    break;
                }
                pending.remove(c);
                String skip = skipReason(c);
                if (skip != null) {
                    record(c, logs, new String[] {"skipped", skip}, Instant.now(), System.nanoTime(), Duration.ZERO, false);
                    continue;
                }
                // alone: the lock covers the hosts' set-up too, so another run's measurement never shares the CPU with it
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                try (MeasurementLock turn = MeasurementLock.acquire(LOCK_WAIT, this::say)) {
                    Duration waited = turn.waited();
                    announce(c, false);
                    record(c, logs, runOne(c, logs, this::say), started, t0, waited, false);
                } catch (LabException e) {
                    record(c, logs, new String[] {"failed", e.oneLine()}, started, t0, Duration.ZERO, false);
                }
            }
        } finally {
            ticker.shutdownNow();
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
        return failed.get() == 0 ? 0 : 1;
    }

    /** The three CSVs every configuration appends to; rows from configurations side by side take turns. */
    private record Logs(RunFolder.CsvLog rows, RunFolder.CsvLog sysctls, RunFolder.CsvLog counters) {
    }

    /**
     * The timer-bound configurations, up to {@link #slots} at once, each in its own fresh hosts; the
     * measurement lock is held from the first to the last, so another tcplab run waits for all of them.
     */
    private void sideBySide(List<Configuration> timerBound, Logs logs) throws IOException {
        if (timerBound.isEmpty() || stopping) {
            return;
        }
        Instant lockStarted = Instant.now();
        long lockT0 = System.nanoTime();
        MeasurementLock turn;
        try {
            turn = MeasurementLock.acquire(LOCK_WAIT, this::say);
        } catch (LabException e) {
            for (Configuration c : timerBound) {
                pending.remove(c);
                record(c, logs, new String[] {"failed", e.oneLine()}, lockStarted, lockT0, Duration.ZERO, false);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "tcplab-slot");
            t.setDaemon(true);
            return t;
        });
        ScheduledFuture<?> status = ticker.scheduleAtFixedRate(this::status, STATUS_EVERY.toSeconds(), STATUS_EVERY.toSeconds(), TimeUnit.SECONDS);
        try (turn) {
            if (turn.waited().toMillis() >= 500) {
                say(String.format(Locale.ROOT, "        waited %.0f s for another run", turn.waited().toNanos() / 1e9));
            }
            List<Future<?>> tasks = new ArrayList<>();
            for (Configuration c : timerBound) {
                tasks.add(pool.submit(() -> {
                    if (stopping || linkLost) {
                        return null;
                    }
                    Instant started = Instant.now();
                    long t0 = System.nanoTime();
                    String skip = skipReason(c);
                    if (skip != null) {
                        pending.remove(c);
                        record(c, logs, new String[] {"skipped", skip}, started, t0, Duration.ZERO, true);
                        return null;
                    }
                    announce(c, true);
                    String prefix = "    [" + c.index() + "] ";
                    record(c, logs, runOne(c, logs, line -> say(prefix + line.strip())), started, t0, Duration.ZERO, true);
                    return null;
                }));
            }
            // every configuration stops at its own bound; this one only guards against a slot that never returns
            Duration phaseBound = Schedule.makespan(List.of(), timerBound.stream().map(Configuration::bound).toList(), slots).plusMinutes(2);
            long deadline = System.nanoTime() + phaseBound.toNanos();
            for (Future<?> task : tasks) {
                try {
                    task.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    say("        configurations side by side ran past their bound (" + Format.clock(phaseBound) + "); stopping them");
                    stopping = true;
                    currentTrials.forEach(Trial::abort);
                    break;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                    break;
                }
            }
        } finally {
            status.cancel(false);
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The line a configuration starts with: what it is, what it should take, where the run stands. */
    private void announce(Configuration c, boolean beside) {
        Set<Integer> others;
        synchronized (running) {
            // leaves pending and joins running at once, so the time left never misses one starting beside it
            pending.remove(c);
            others = new TreeSet<>(running.keySet());
            running.put(c.index(), new Running(c, System.nanoTime()));
            neighbours.put(c.index(), new TreeSet<>(others));
            for (Integer other : others) {
                neighbours.get(other).add(c.index());
            }
        }
        say(String.format(Locale.ROOT, "[%d/%d] %s %s (about %s; %s)%s", c.index(), configurations.size(),
                c.name(), (c.mode().isEmpty() ? "" : c.mode() + " ") + c.conditions().replace(';', ' '),
                Format.clock(c.expected()), where(), beside && !others.isEmpty() ? " beside " + others.size() + " more" : ""));
    }

    /** One configuration's row and result line; {@code t0} is when it started, {@code waited} time that was another run's. */
    private void record(Configuration c, Logs logs, String[] outcome, Instant started, long t0, Duration waited, boolean beside)
            throws IOException {
        Set<Integer> with;
        synchronized (running) {
            running.remove(c.index());
            with = neighbours.getOrDefault(c.index(), Set.of());
        }
        if (stopping && !outcome[0].equals("ok")) {
            outcome = new String[] {"interrupted", "stopped by a signal"};
        }
        if (!outcome[0].equals("ok") && !outcome[0].equals("skipped")) {
            failed.incrementAndGet();
        }
        // the time spent waiting for another run's measurement is not this configuration's
        double seconds = (System.nanoTime() - t0 - waited.toNanos()) / 1e9;
        if (waited.toMillis() >= 500) {
            outcome[1] += String.format(Locale.ROOT, " (after waiting %.0f s for another run)", waited.toNanos() / 1e9);
        }
        logs.rows().row(c.index(), c.id(), c.type(), c.name(), c.mode(), c.path().label(), c.threads(), c.repetition(),
                c.conditions(), c.sysctlConditions(), outcome[0], started.toString(), String.format(Locale.ROOT, "%.1f", seconds),
                outcome[1], c.pace().name().toLowerCase(Locale.ROOT),
                with.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        say(String.format(Locale.ROOT, "%s%s in %.1f s: %s", beside ? "    [" + c.index() + "] " : "        ", outcome[0], seconds, outcome[1]));
    }

    /** Where the run stands: the share done and the time left, from the schedule with what runs now. */
    private String where() {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - runStart);
        Duration left = left();
        long percent = Math.round(100.0 * elapsed.toMillis() / Math.max(1, elapsed.plus(left).toMillis()));
        return String.format(Locale.ROOT, "%d %% done, about %s left", Math.min(99, percent), Format.clock(left));
    }

    /** What the schedule says is left: what runs now (less its elapsed time), the queued timer-bound ones on the slots, the rest one by one. */
    private Duration left() {
        List<Duration> busy = new ArrayList<>();
        List<Duration> timer = new ArrayList<>();
        List<Duration> cpu = new ArrayList<>();
        synchronized (running) {
            for (Running r : running.values()) {
                Duration gone = Duration.ofNanos(System.nanoTime() - r.startNanos());
                busy.add(r.configuration().expected().compareTo(gone) > 0 ? r.configuration().expected().minus(gone) : Duration.ZERO);
            }
            for (Configuration c : pending) {
                if (remoteServer == null || TwoMachines.skipReason(c) == null) {
                    (slots > 1 && c.pace() == Pace.TIMER ? timer : cpu).add(c.expected());
                }
            }
        }
        return Schedule.timerWall(busy, timer, slots).plus(Schedule.sum(cpu));
    }

    /** Every {@link #STATUS_EVERY} while configurations run side by side: the share done, the time left, what runs and what is next. */
    private void status() {
        List<String> now = new ArrayList<>();
        synchronized (running) {
            for (Running r : running.values()) {
                now.add(String.format(Locale.ROOT, "%d %s %s/%s", r.configuration().index(), r.configuration().name(),
                        Format.clock(Duration.ofNanos(System.nanoTime() - r.startNanos())), Format.clock(r.configuration().expected())));
            }
        }
        Configuration next = pending.peek();
        say("  -- " + where() + "; running " + (now.isEmpty() ? "nothing" : String.join(", ", now))
                + (next == null ? "" : "; next " + next.index() + " " + next.name()));
    }

    private record Running(Configuration configuration, long startNanos) {
    }

    /** Why this configuration cannot run in this run, or null. */
    private String skipReason(Configuration c) {
        if (remoteServer != null) {
            String skip = TwoMachines.skipReason(c);
            if (skip != null) {
                return skip;
            }
        } else if (hostMode && (c instanceof ExperimentConfiguration || c.path() != NetworkPath.LOOPBACK)) {
            return "host mode runs the loopback path only; this configuration needs the lab's two hosts (namespace mode)";
        }
        for (String key : c.sysctls().keySet()) {
            String missing = KernelFeatures.skipReason(key, Sysctl.of(key).exists(), KernelFeatures.release());
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }

    /** Runs one configuration in fresh hosts; returns {status, message}. The caller holds the measurement lock. */
    private String[] runOne(Configuration c, Logs logs, Consumer<String> progress) throws IOException {
        if (remoteServer != null && !remoteServer.reachable()) {
            linkLost = true;
            return new String[] {"interrupted", "the link to the server machine is gone; the rest of the plan is not run"};
        }
        RunFolder.CsvLog sysctls = logs.sysctls();
        RunFolder.CsvLog counters = logs.counters();
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
            if (c instanceof BenchmarkConfiguration b) {
                return benchmark(lab, b, after);
            }
            return experiment(lab, (ExperimentConfiguration) c, settings, after, progress);
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
            currentServers.add(server);
            try {
                exit = runJmh(lab, c, server.address());
                after.write();
            } finally {
                currentServers.remove(server);
            }
        }
        return outcome(c, exit);
    }

    private String[] experiment(Lab lab, ExperimentConfiguration c, Map<String, String> settings, CounterSnapshot after,
                                Consumer<String> progress) throws IOException {
        try (Trial trial = new Trial(c.experiment(), c.id(), c.resolved(), c.path(), lab, folder, settings, c.expected(), c.bound(),
                progress)) {
            currentTrials.add(trial);
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
                currentTrials.remove(trial);
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
        currentJmh.add(jmh);
        try {
            return watch(jmh, log, c.bound());
        } finally {
            currentJmh.remove(jmh);
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
        currentJmh.forEach(jmh -> Processes.killTree(jmh.toHandle()));
        currentServers.forEach(ServerProcess::close);
        currentTrials.forEach(Trial::abort);
        try {
            finished.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
