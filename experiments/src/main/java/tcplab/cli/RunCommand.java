package tcplab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.host.HostMode;
import tcplab.host.RestoreFile;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.lab.ServerProcess;
import tcplab.plan.BenchmarkCatalog;
import tcplab.plan.Configuration;
import tcplab.plan.Plan;
import tcplab.plan.PlanLoader;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;
import tcplab.report.ReportWriter;
import tcplab.results.Metadata;
import tcplab.results.ReportsFolder;
import tcplab.remote.RemoteMachine;
import tcplab.remote.TwoMachineRun;
import tcplab.results.RunFolder;
import tcplab.plan.MachineSpeed;
import tcplab.run.Schedule;

/**
 * {@code tcplab run}: check everything that can be checked, then run the plan in the lab and
 * derive the report from what it wrote. Nothing is created before the profile, the plan and the
 * prerequisites have passed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Apply a sysctl profile in fresh network namespaces, run the plan's benchmarks there,",
                "and write raw CSVs, metadata, charts and a report to reports/PROFILE/RUN-ID/."},
        footer = {"", "Examples:", "  tcplab run --profile tw-reuse --plan quick",
                "  tcplab run --plan remote --remote root@server --yes-change-this-machine   # two machines (docs/remote.md)",
                "The last line printed is the run folder."})
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-p", "--profile"}, defaultValue = "baseline", paramLabel = "NAME|FILE",
            description = "a profile in sysctl-profiles/ or a path to a .conf file (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--plan", defaultValue = "quick", paramLabel = "NAME|FILE",
            description = "quick, full, exact (experiments/plans/), or a path to a plan .json file (default: ${DEFAULT-VALUE})")
    String plan;

    @Option(names = "--mode", defaultValue = "namespace", paramLabel = "namespace|host",
            description = {"namespace (default): fresh network namespaces, this machine untouched;",
                "host: apply the profile to this machine itself (loopback configurations only), restored on exit;"
                        + " needs root and " + HostMode.CONFIRM_FLAG})
    String mode;

    @Option(names = HostMode.CONFIRM_FLAG, description = "confirm --mode host: this machine's TCP settings change for the run")
    boolean confirmed;

    @Option(names = "--reports", paramLabel = "DIR", description = "where run folders go (default: reports/ in the checkout)")
    Path reports;

    @Option(names = "--remote", paramLabel = "[USER@]HOST",
            description = {"two machines: this one the client, HOST the server, driven over your own ssh (keys, agent, ~/.ssh/config; never a"
                    + " password). The profile is applied to both machines and restored on both (needs root on both and "
                    + HostMode.CONFIRM_FLAG + ")"})
    String remote;

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "an ssh_config file for --remote instead of ~/.ssh/config")
    Path sshConfig;

    @Option(names = "--parallel", paramLabel = "N",
            description = {"timer-bound configurations side by side, each in its own fresh namespaces (default: "
                    + Schedule.DEFAULT_SLOTS + ", fewer when memory or ulimits are short; 1: one at a time). CPU-bound ones"
                    + " (benchmarks, rates, costs) always run alone. Namespace mode only"})
    Integer parallel;

    @Option(names = "--no-report", hidden = true, description = "leave the report to `tcplab report` (run-matrix draws a guest's on the host)")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        Home home = Home.find();
        boolean hostMode = checkMode();
        Profile profile = ProfileChecks.parseForHost(home.profile(this.profile));
        BenchmarkCatalog catalog = BenchmarkCatalog.load();
        Plan plan = PlanLoader.load(home.plan(this.plan), catalog);
        List<Configuration> configurations = PlanLoader.expand(plan, catalog);
        slots = slots(hostMode);
        if (hostMode && remote == null && configurations.stream().anyMatch(c -> !c.sysctls().isEmpty())) {
            throw new IllegalArgumentException("plan " + plan.name() + " sets sysctls on top of the profile, which host mode does not do to this"
                    + " machine (fix: a plan without \"sysctls\" entries, or namespace mode)");
        }
        Path jar = home.benchmarksJar();
        if (!Files.isRegularFile(jar)) {
            throw new LabException(jar + " is missing", "run `make build`");
        }
        LabLauncher.checkPrerequisites();
        for (Configuration c : configurations) {
            if (c instanceof tcplab.plan.ExperimentConfiguration e) {
                for (Map.Entry<String, String> command : e.experiment().commands().entrySet()) {
                    if (LabLauncher.findOnPath(command.getKey()) == null) {
                        throw new LabException("`" + command.getKey() + "` is not installed; experiment " + e.experiment().name() + " needs it",
                                "apt-get install " + command.getValue() + " (or run `make prereqs` as root)");
                    }
                }
            }
        }
        Path root = reports != null ? reports : home.reports();
        ReportsFolder.check(root, ReportsFolder.need(configurations.size()));
        Path profileFile = profile.file().toAbsolutePath();
        if (LabLauncher.run(List.of("check", "--profile", profileFile.toString(), "--plan", plan.file().toAbsolutePath().toString())) != Main.OK) {
            return Main.BAD_INPUT; // the lab printed each problem; nothing was created
        }

        // the other machine is checked before anything is created or changed on either
        RemoteMachine server = remote == null ? null : TwoMachineRun.connect(remote, sshConfig, Metadata.tcplab(home.root()).path("version").asText(),
                configurations);
        try {
            return run(home, hostMode, profile, plan, configurations, jar, root, profileFile, server);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** The run's slots: --parallel, or the default this machine holds; side by side only in fresh namespaces. */
    private Schedule.Slots slots(boolean hostMode) {
        if (parallel != null && (parallel < 1 || parallel > Schedule.MAX_SLOTS)) {
            throw new IllegalArgumentException("--parallel " + parallel + " is out of range (fix: a number from 1 to " + Schedule.MAX_SLOTS
                    + "; 1 runs one configuration at a time)");
        }
        if (hostMode) {
            if (parallel != null && parallel > 1) {
                throw new IllegalArgumentException("--parallel " + parallel + " needs fresh namespaces: " + (remote != null ? "two machines"
                        : "host mode") + " runs one configuration at a time on the same machine (fix: leave out --parallel)");
            }
            return new Schedule.Slots(1, null);
        }
        Schedule.Slots fit = Schedule.thisMachine(parallel != null ? parallel : Schedule.DEFAULT_SLOTS);
        if (parallel != null && fit.count() < parallel) {
            System.err.println("tcplab: --parallel " + parallel + " is more than " + fit.limitedBy() + " allows here; using " + fit.count());
        }
        return fit;
    }

    private Schedule.Slots slots = new Schedule.Slots(1, null);

    private int run(Home home, boolean hostMode, Profile profile, Plan plan, List<Configuration> configurations, Path jar, Path root,
                    Path profileFile, RemoteMachine server) throws Exception {
        Instant started = Instant.now();
        RunFolder folder = RunFolder.create(root, profile.name(), started);
        Files.writeString(folder.file(RunFolder.PROFILE_COPY), profile.text());
        Files.copy(plan.file(), folder.file(RunFolder.PLAN_COPY));
        Map<String, String> hostBefore = Metadata.readRelevant();
        MachineSpeed.measure(); // before the estimate: it follows this machine
        ObjectNode metadata = startMetadata(home, profile, plan, configurations, folder, hostBefore, started);
        if (server != null) {
            TwoMachineRun.describe(metadata, server);
        } else if (hostMode) {
            ((ObjectNode) metadata.get("lab")).put("mode", "host")
                    .put("isolation", "this machine's own network namespace (host mode), the profile applied to it and restored at the end;"
                            + " a pid namespace for cleanup");
        }
        Metadata.write(folder.file(RunFolder.METADATA), metadata);

        List<String> labArgs = new java.util.ArrayList<>(List.of("run", "--profile", profileFile.toString(),
                "--plan", plan.file().toAbsolutePath().toString(),
                "--run-dir", folder.dir().toAbsolutePath().toString(),
                "--benchmarks-jar", jar.toAbsolutePath().toString()));
        if (slots.count() > 1) {
            labArgs.addAll(List.of("--slots", Integer.toString(slots.count())));
        }
        labArgs.addAll(List.of("--machine-speed", Double.toString(MachineSpeed.factor())));
        if (MachineSpeed.probeCpuMeasured()) {
            labArgs.addAll(List.of("--probe-cpu", Double.toString(MachineSpeed.probeCpu().toNanos() / 1e9)));
        }
        int exit;
        if (server != null) {
            exit = TwoMachineRun.run(server, profile, profileFile, folder, configurations, labArgs, metadata);
        } else if (hostMode) {
            labArgs.add("--host-mode");
            HostMode applied = HostMode.apply(profile);
            System.out.println("tcplab: host mode: profile " + profile.name() + " applied to this machine; the previous values are in "
                    + RestoreFile.path() + " and are put back when the run ends");
            try {
                exit = LabLauncher.run(labArgs, true);
            } finally {
                applied.close(); // throws, loudly, if the values could not be put back; the restore file then stays
                System.out.println("tcplab: host mode: this machine's settings are back as they were");
            }
        } else {
            exit = LabLauncher.run(labArgs);
        }

        Map<String, String> hostAfter = Metadata.readRelevant();
        metadata.put("finished", Instant.now().toString());
        metadata.put("status", exit == Main.OK ? "complete" : exit == LabLauncher.INTERRUPTED || exit == TwoMachineRun.LINK_LOST ? "interrupted"
                : exit == 137 ? "killed" : "failed");
        metadata.put("exitCode", exit);
        metadata.set("hostSysctlsAfter", Metadata.toJson(hostAfter));
        metadata.put("hostSysctlsUnchanged", hostAfter.equals(hostBefore));
        ObjectNode readBack = metadata.putObject("sysctlsInLab");
        folder.firstReadBack().forEach((host, values) -> readBack.set(host, Metadata.toJson(values)));
        ObjectNode files = metadata.putObject("files");
        files.put("sysctlsPerConfiguration", RunFolder.SYSCTLS);
        files.put("kernelCountersPerConfiguration", RunFolder.COUNTERS);
        files.put("configurations", RunFolder.CONFIGURATIONS);
        // the ladder figures' packet captures (classic pcap, taken inside the lab's hosts), each by name
        var captures = files.putArray("packetCaptures");
        try (var raw = Files.list(folder.file(RunFolder.RAW))) {
            raw.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".pcap")).sorted().forEach(f -> captures.add(RunFolder.RAW + "/" + f));
        }
        Metadata.write(folder.file(RunFolder.METADATA), metadata);
        if (!hostAfter.equals(hostBefore)) {
            System.err.println("tcplab: WARNING: this machine's TCP settings changed during the run (something else changed them;"
                    + " tcplab writes only inside its namespaces): see hostSysctlsBefore/After in metadata.json");
        }

        try {
            if (!noReport) {
                ReportWriter.write(folder);
            }
        } catch (Exception e) {
            System.err.println("tcplab: the report could not be drawn: " + e + " (fix: the raw files are kept; try `make report RUN="
                    + shown(folder.dir()) + "`)");
            exit = exit == Main.OK ? Main.FAILED : exit;
        }
        folder.markLatest();
        System.out.println(shown(folder.dir()) + "/");
        return exit;
    }

    private ObjectNode startMetadata(Home home, Profile profile, Plan plan, List<Configuration> configurations,
                                     RunFolder folder, Map<String, String> hostBefore, Instant started) {
        ObjectNode m = Metadata.JSON.createObjectNode();
        m.put("runId", folder.dir().getFileName().toString());
        m.put("status", "running");
        m.put("started", started.toString()); // before the machine is timed: the run's wall time includes that
        m.set("tcplab", Metadata.tcplab(home.root()));
        m.put("command", "tcplab run --profile " + this.profile + " --plan " + this.plan + (remote == null ? "" : " --remote " + remote));
        m.put("reproduce", "make run-profile PROFILE=" + this.profile + " PLAN=" + this.plan + (remote == null ? "" : " REMOTE=" + remote + " CONFIRM=yes"));
        ObjectNode p = m.putObject("profile");
        p.put("name", profile.name());
        p.put("file", profile.file().toString());
        p.put("purpose", profile.purpose());
        p.put("sha256", Metadata.sha256(profile.text()));
        p.put("copy", RunFolder.PROFILE_COPY);
        ObjectNode pl = m.putObject("plan");
        pl.put("name", plan.name());
        pl.put("file", plan.file().toString());
        pl.put("description", plan.description());
        pl.put("copy", RunFolder.PLAN_COPY);
        pl.put("configurations", configurations.size());
        // the schedule's estimate: timer-bound configurations side by side on the slots, then the CPU-bound ones' sum
        pl.put("expectedSeconds", Schedule.of(configurations, slots.count()).expected().toSeconds());
        pl.put("sideBySide", slots.count());
        ObjectNode speed = pl.putObject("machineSpeed");
        speed.put("factor", MachineSpeed.factor());
        speed.put("probeSeconds", MachineSpeed.probe() == null ? null : MachineSpeed.probe().toNanos() / 1e9);
        speed.put("referenceSeconds", MachineSpeed.REFERENCE.toNanos() / 1e9);
        speed.put("probeCpuSeconds", MachineSpeed.probeCpuMeasured() ? MachineSpeed.probeCpu().toNanos() / 1e9 : null);
        speed.put("meaning", "the estimate's work parts (JVM and namespace start-ups) times factor: the probe (fastest of 3 starts of a"
                + " helper JVM) over the reference; waits and measuring times are not scaled;"
                + " timer-bound configurations side by side share the cores, each taking "
                + Schedule.TIMER_CONFIGURATION_CPU_IN_PROBES + " times the probe's CPU");
        if (slots.limitedBy() != null) {
            pl.put("sideBySideLimitedBy", slots.limitedBy());
        }
        ObjectNode lab = m.putObject("lab");
        lab.put("mode", "namespace");
        lab.put("privileges", LabLauncher.mode());
        lab.put("isolation", "fresh client and server network namespaces per configuration, inside a pid namespace");
        lab.put("clientAddress", Lab.CLIENT_ADDRESS);
        lab.put("serverAddress", Lab.SERVER_ADDRESS);
        lab.put("prefixLength", Lab.PREFIX_LENGTH);
        lab.put("serverPort", ServerProcess.PORT);
        m.set("machine", Metadata.machine());
        m.set("jdk", Metadata.jdk());
        m.set("hostSysctlsBefore", Metadata.toJson(hostBefore));
        return m;
    }

    /** Whether this is a host-mode run; a host-mode run must be confirmed, and possible, before anything is created. */
    private boolean checkMode() throws LabException {
        if (remote != null) {
            tcplab.lab.Ssh.checkDestination(remote);
            if (!confirmed) {
                throw new IllegalArgumentException("--remote changes the TCP settings of this machine and of " + remote + " for the run (restored"
                        + " at the end) (fix: confirm with " + HostMode.CONFIRM_FLAG + ", or make run-profile REMOTE=" + remote + " CONFIRM=yes)");
            }
            HostMode.checkPossible();
            return true;
        }
        if (!mode.equals("namespace") && !mode.equals("host")) {
            throw new IllegalArgumentException("--mode " + mode + " is neither namespace nor host (fix: leave it out for namespace mode)");
        }
        if (mode.equals("host") && !confirmed) {
            throw new IllegalArgumentException("host mode changes this machine's TCP settings for the run (restored at the end)"
                    + " (fix: confirm with " + HostMode.CONFIRM_FLAG + ", or make run-profile MODE=host CONFIRM=yes)");
        }
        if (mode.equals("host")) {
            HostMode.checkPossible();
        }
        return mode.equals("host");
    }

    /** Relative to the working directory when inside it, as a user would type it. */
    static String shown(Path dir) {
        return tcplab.results.Format.shown(dir);
    }
}
