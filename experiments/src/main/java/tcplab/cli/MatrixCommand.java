package tcplab.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.guest.Guest;
import tcplab.guest.KernelPackage;
import tcplab.lab.JavaCommand;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.plan.BenchmarkCatalog;
import tcplab.plan.Configuration;
import tcplab.plan.Plan;
import tcplab.plan.PlanLoader;
import tcplab.profile.ProfileChecks;
import tcplab.report.KernelMatrix;
import tcplab.results.Format;
import tcplab.results.Metadata;
import tcplab.results.RunFolder;
import tcplab.run.MeasurementLock;

/**
 * {@code tcplab run-matrix}: the same profile and plan on several kernels, one after another. "host"
 * is this machine's kernel, run as {@code tcplab run} runs it; any other name is a Debian kernel
 * package booted in a QEMU guest ({@link Guest}) that runs {@code tcplab run} inside, over this
 * machine's filesystem. The runs land in one matrix folder, then are compared by kernel
 * ({@link KernelMatrix}). Everything is checked before anything boots.
 */
@Command(name = "run-matrix", mixinStandardHelpOptions = true,
        description = {"Run one profile and plan on several kernels: this machine's (host) and Debian kernels in QEMU guests,",
                "then set the runs side by side by kernel. Writes reports/matrix/ID/ with each kernel's run folder."},
        footer = {"", "Examples:",
                "  tcplab run-matrix --kernels \"host 6.1\" --profile baseline --plan kernels",
                "  tcplab run-matrix --kernels 6.1 --plan quick --emulate     # no KVM: software emulation, slower",
                "Guest kernels come from Debian's linux-image-* packages through apt and are kept in ~/.cache/tcplab/kernels.",
                "The last line printed is the matrix report."})
final class MatrixCommand implements Callable<Integer> {
    @Option(names = "--kernels", required = true, paramLabel = "\"host 6.1 ...\"",
            description = "kernels to run on, separated by spaces or commas: host, a Debian version (6.1) or a package (linux-image-6.1.0-56-amd64)")
    String kernels;

    @Option(names = {"-p", "--profile"}, defaultValue = "baseline", paramLabel = "NAME|FILE", description = "as for run (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--plan", defaultValue = "quick", paramLabel = "NAME|FILE", description = "as for run (default: ${DEFAULT-VALUE})")
    String plan;

    @Option(names = "--emulate", description = "run guests under QEMU's software emulation (TCG) instead of KVM: for machines without"
            + " usable KVM; slower, and the report marks the guests' rates as emulated")
    boolean emulate;

    @Option(names = "--time-limit", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "the hard limit on each guest's life (default: 1.5 x the plan's estimate + 10 min; emulated, 4 x + 40 s a configuration + 15 min)")
    Duration timeLimit;

    @Option(names = "--reports", paramLabel = "DIR", description = "where the matrix folder goes (default: reports/ in the checkout)")
    Path reports;

    @Option(names = "--qemu", defaultValue = "qemu-system-x86_64", hidden = true, description = "the QEMU binary (tests)")
    String qemu;

    @Option(names = "--kvm-device", defaultValue = "/dev/kvm", hidden = true, description = "the KVM device (tests)")
    Path kvmDevice;

    static final Path BUSYBOX = Path.of("/bin/busybox");

    private volatile Guest running;
    private volatile Process hostRun;
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        Home home = Home.find();
        List<String> names = List.of(kernels.trim().split("[\\s,]+"));
        if (names.isEmpty() || names.get(0).isEmpty()) {
            throw new IllegalArgumentException("--kernels names no kernel (fix: --kernels \"host 6.1\")");
        }
        if (names.stream().distinct().count() < names.size()) {
            throw new IllegalArgumentException("--kernels names a kernel twice (fix: name each once)");
        }
        // everything that can be checked, before anything is fetched or booted
        tcplab.profile.Profile parsed = ProfileChecks.parseForHost(home.profile(profile));
        BenchmarkCatalog catalog = BenchmarkCatalog.load();
        Plan loaded = PlanLoader.load(home.plan(plan), catalog);
        List<Configuration> configurations = PlanLoader.expand(loaded, catalog);
        Duration estimate = tcplab.run.Schedule.of(configurations, 1).expected();
        String classPath = JavaCommand.portableClassPath();
        if (!Files.isRegularFile(home.benchmarksJar())) {
            throw new LabException(home.benchmarksJar() + " is missing", "run `make build`");
        }
        LabLauncher.checkPrerequisites();
        Map<String, String> packages = new LinkedHashMap<>();
        String accelerator = null;
        Path qemuBinary = null;
        for (String name : names) { // the names first: a kernel that does not exist is bad input wherever the guest would run
            if (!name.equals("host")) {
                packages.put(name, KernelPackage.resolve(name));
            }
        }
        for (String name : packages.keySet()) {
            if (qemuBinary == null) {
                qemuBinary = qemu.contains("/") ? Path.of(qemu) : LabLauncher.findOnPath(qemu);
                if (qemuBinary == null || !Files.isExecutable(qemuBinary)) {
                    throw new LabException(qemu + " is not installed; guest kernels boot in it", "apt-get install qemu-system-x86"
                            + " (or run `make matrix-prereqs` as root)");
                }
                if (!Files.isExecutable(BUSYBOX)) {
                    throw new LabException(BUSYBOX + " is missing; the guests' initramfs is made from it",
                            "apt-get install busybox-static (or run `make matrix-prereqs` as root)");
                }
                accelerator = Guest.accelerator(kvmDevice, emulate);
            }
        }
        if (!packages.isEmpty() && !LabLauncher.isRoot()) {
            throw new LabException("guest kernels need root here (QEMU's 9p shares files as their owner)", "run as root (sudo make run-matrix ...)");
        }
        // emulated, each configuration also pays about 25 s of JVM starts (measured: 13 configurations took 8.6 min for a 3.5 min plan)
        Duration limit = timeLimit != null ? timeLimit
                : Duration.ofSeconds(emulate ? estimate.toSeconds() * 4 + 40L * configurations.size() + 900 : (long) (estimate.toSeconds() * 1.5) + 600);

        Path root = reports != null ? reports.toAbsolutePath() : home.reports();
        Path matrix = RunFolder.newFolder(root.resolve("matrix"), Instant.now());
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("started", Instant.now().toString());
        meta.put("profile", parsed.name());
        meta.put("plan", loaded.name());
        meta.put("configurations", configurations.size());
        meta.put("estimateSeconds", estimate.toSeconds());
        meta.put("accelerator", packages.isEmpty() ? "none" : accelerator);
        meta.put("guestTimeLimitSeconds", limit.toSeconds());
        ArrayNode runs = meta.putArray("kernels");
        // SIGINT and SIGTERM stop the kernel that runs now and end the matrix with what it has; the hook covers any other exit
        Thread hook = new Thread(this::stop, "tcplab-matrix-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        sun.misc.SignalHandler onSignal = signal -> {
            stopping = true;
            new Thread(this::stop, "tcplab-matrix-signal").start();
        };
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), onSignal);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onSignal);
        say("tcplab: kernel matrix " + String.join(", ", names) + ": profile " + parsed.name() + ", plan " + loaded.name() + " ("
                + Format.count(configurations.size(), "configuration") + ", about " + Format.clock(estimate) + " each on this machine"
                + (packages.isEmpty() ? "" : "; guests under " + (accelerator.equals("tcg") ? "software emulation (TCG), slower" : "KVM")) + ")");
        int failed = 0;
        boolean interrupted = false;
        List<Path> folders = new ArrayList<>();

        for (int i = 0; i < names.size() && !interrupted && !stopping; i++) {
            String name = names.get(i);
            ObjectNode k = runs.addObject();
            k.put("kernel", name);
            Path dir = Files.createDirectories(matrix.resolve(name));
            long t0 = System.nanoTime();
            say("== run-matrix: kernel " + name + " (" + (i + 1) + " of " + names.size() + ")");
            int exit;
            try {
                if (name.equals("host")) {
                    k.put("release", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
                    exit = runHost(classPath, dir);
                } else {
                    exit = runGuest(name, packages.get(name), qemuBinary, accelerator, classPath, home, dir, limit, k);
                }
            } catch (LabException e) {
                say("tcplab: kernel " + name + ": " + e.oneLine());
                k.put("error", e.oneLine());
                exit = Main.FAILED;
            }
            k.put("exitCode", exit);
            k.put("wallSeconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
            interrupted = exit == LabLauncher.INTERRUPTED || stopping;
            Path run = runFolder(dir.resolve("reports").resolve(parsed.name()));
            if (run != null && !name.equals("host")) {
                try {
                    tcplab.report.ReportWriter.write(new RunFolder(run));
                } catch (Exception e) {
                    say("tcplab: kernel " + name + ": its report could not be drawn: " + e + " (fix: the raw files are kept; make report RUN="
                            + Format.shown(run) + ")");
                }
            }
            if (run != null) {
                k.put("run", matrix.relativize(run).toString());
                folders.add(run);

            }
            if (exit != Main.OK) {
                failed++;
            }
            k.put("status", exit == Main.OK ? "complete" : interrupted ? "interrupted" : run == null ? "failed" : "failed, partial run kept");
            Metadata.write(matrix.resolve(KernelMatrix.METADATA), meta);
        }
        meta.put("finished", Instant.now().toString());
        meta.put("status", interrupted ? "interrupted" : failed == 0 ? "complete" : "failed");
        Metadata.write(matrix.resolve(KernelMatrix.METADATA), meta);
        if (!folders.isEmpty()) {
            KernelMatrix.redraw(matrix);
            new RunFolder(matrix).markLatest();
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        if (folders.isEmpty()) {
            System.err.println("tcplab: no kernel produced a run; what happened is in " + Format.shown(matrix) + " (" + KernelMatrix.METADATA
                    + ", */" + Guest.CONSOLE_LOG + ")");
            return interrupted ? LabLauncher.INTERRUPTED : Main.FAILED;
        }
        System.out.println(Format.shown(matrix.resolve(KernelMatrix.HTML)));
        return interrupted ? LabLauncher.INTERRUPTED : failed == 0 ? Main.OK : Main.FAILED;
    }

    /** "host" runs tcplab run itself, in a child JVM whose folder is the matrix's. */
    private int runHost(String classPath, Path dir) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--", JavaCommand.java(), "-Dtcplab.home=" + Home.find().root(), "-cp", classPath,
                "tcplab.cli.Main", "run", "--profile", profile, "--plan", plan, "--reports", dir.resolve("reports").toString(),
                "--parallel", "1")); // one at a time on every kernel: an emulated guest's neighbours would cost it far more than ours
        Process p = new ProcessBuilder(command).inheritIO().start();
        hostRun = p;
        try {
            return p.waitFor();
        } finally {
            hostRun = null;
        }
    }

    /**
     * Boots the guest kernel, which runs {@code tcplab run} over this machine's files and writes into
     * {@code dir}; holds this machine's measurement lock meanwhile, since the guest's CPUs are its.
     */
    private int runGuest(String name, String pkg, Path qemuBinary, String accelerator, String classPath, Home home, Path dir, Duration limit,
                         ObjectNode k) throws IOException, LabException, InterruptedException {
        KernelPackage kernel = KernelPackage.prepare(pkg, KernelPackage.cache(), BUSYBOX, this::say);
        k.put("package", kernel.name());
        k.put("packageVersion", kernel.version());
        k.put("release", kernel.release());
        k.put("accelerator", accelerator);
        k.put("bootParameters", Guest.bootParameters(dir));
        k.put("memoryMiB", Guest.MEMORY_MIB);
        k.put("cpus", Guest.CPUS);
        Path reportsDir = Files.createDirectories(dir.resolve("reports"));
        // the guest sees this machine's files but has its own /tmp: the profile and plan go in with the run folder, under their own names
        Path inputs = Files.createDirectories(dir.resolve("inputs"));
        Path profileFile = Files.copy(home.profile(profile), inputs.resolve(home.profile(profile).getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path planFile = Files.copy(home.plan(plan), inputs.resolve(home.plan(plan).getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path script = dir.resolve(Guest.RUN_SCRIPT);
        Files.deleteIfExists(dir.resolve(Guest.EXIT_FILE));
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "# written by tcplab run-matrix: what the guest runs, as root in its own kernel",
                "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8",
                "export " + tcplab.results.Metadata.GUEST_ENV + "=" + shellQuoted(kernel.name() + " " + kernel.version() + " in a QEMU guest ("
                        + Guest.MEMORY_MIB + " MiB, " + Guest.CPUS + " vCPUs) under " + (accelerator.equals("tcg")
                        ? "software emulation (TCG): its CPU time and rates are the emulator's" : "KVM") + ", started by tcplab run-matrix"),
                // emulated, C2's compiles cost more than they give back: C1 alone took the one-configuration test from 68 s to 59 s
                accelerator.equals("tcg") ? "export JAVA_TOOL_OPTIONS='-XX:TieredStopAtLevel=1'" : "",
                "cd " + home.root(),
                "exec " + JavaCommand.java() + " -Dtcplab.home=" + home.root() + " -cp " + classPath + " tcplab.cli.Main run --profile "
                        + profileFile.toAbsolutePath() + " --plan " + planFile.toAbsolutePath() + " --reports " + reportsDir
                        + " --no-report --parallel 1", // drawn on this machine afterwards, at its speed; one at a time, as on the host
                ""));
        try (MeasurementLock turn = MeasurementLock.acquire(Duration.ofHours(2), this::say)) {
            String tag = "[" + name + "] ";
            say(tag + "booting " + kernel.name() + " (" + kernel.version() + ") under " + (accelerator.equals("tcg") ? "software emulation" : "KVM")
                    + ", " + Guest.MEMORY_MIB + " MiB, " + Guest.CPUS + " vCPUs; time limit " + Format.clock(limit));
            // one more boot if the first never reached "ready": seen once in CI under emulation, with no console output to
            // show why; the matrix records the first attempt's failure
            for (int attempt = 1; ; attempt++) {
                long boot0 = System.nanoTime();
                try (Guest guest = Guest.start(qemuBinary, accelerator, kernel, kernel.initramfs(BUSYBOX), dir, line -> {
                    if (line.startsWith("tcplab-guest: ready")) {
                        say(tag + line + String.format(Locale.ROOT, " (%.1f s after QEMU started)", (System.nanoTime() - boot0) / 1e9));
                    } else {
                        say(tag + line);
                    }
                })) {
                    running = guest;
                    k.set("qemu", JsonNodeFactory.instance.arrayNode().addAll(guest.command().stream().map(JsonNodeFactory.instance::textNode).toList()));
                    try {
                        return guest.await(limit);
                    } catch (LabException e) {
                        if (guest.booted() || attempt > 1 || stopping) {
                            throw e;
                        }
                        k.put("firstBootFailed", e.getMessage());
                        guest.close(); // its console is complete now: kept beside the second's
                        Files.move(dir.resolve(Guest.CONSOLE_LOG), dir.resolve("guest-console.first-boot.log"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        say(tag + e.getMessage() + "; booting it once more");
                    } finally {
                        if (guest.booted()) {
                            k.put("bootSeconds", Math.round(guest.bootSeconds() * 10) / 10.0);
                        }
                        running = null;
                    }
                }
            }
        }
    }

    /** The run folder tcplab run made under {@code profileDir} (its only one), or null. */
    private static Path runFolder(Path profileDir) throws IOException {
        if (!Files.isDirectory(profileDir)) {
            return null;
        }
        try (var dirs = Files.list(profileDir)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(RunFolder.METADATA)) && !Files.isSymbolicLink(d)).sorted()
                    .reduce((a, b) -> b).orElse(null);
        }
    }

    /** {@code s} as one word for sh: in single quotes, each quote inside closed, escaped and reopened. */
    static String shellQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** SIGINT, SIGTERM: the guest or host run goes now; the matrix keeps what was written. */
    private void stop() {
        Guest g = running;
        if (g != null) {
            g.close();
        }
        Process p = hostRun;
        if (p != null) {
            p.toHandle().descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
