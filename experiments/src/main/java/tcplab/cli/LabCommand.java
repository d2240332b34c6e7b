package tcplab.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.kernel.NetnsGuard;
import tcplab.lab.LabHost;
import tcplab.lab.Ssh;
import tcplab.nativecompare.Comparison;
import tcplab.nativecompare.NativeComparison;
import tcplab.plan.BenchmarkCatalog;
import tcplab.plan.MachineSpeed;
import tcplab.plan.PlanLoader;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;
import tcplab.profile.ProfileParser;
import tcplab.profile.ProfileProblem;
import tcplab.results.RunFolder;
import tcplab.run.LabRun;
import tcplab.socket.CloseMode;

/** The lab side of {@code run} and {@code check-profile}; started by {@link tcplab.lab.LabLauncher} inside the namespaces. */
@Command(name = "lab", hidden = true, subcommands = {LabCommand.Check.class, LabCommand.Run.class, LabCommand.CompareNative.class},
        description = "Internal: the part of tcplab that runs inside the lab's namespaces.")
final class LabCommand {

    @Command(name = "check", description = "Ask the kernel about each key in a throwaway network namespace.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--profile", required = true)
        Path profile;

        @Option(names = "--plan", description = "also ask about every sysctl value the plan sweeps")
        Path plan;

        @Override
        public Integer call() throws Exception {
            NetnsGuard.requireLabNamespace();
            List<ProfileProblem> problems = new ArrayList<>(ProfileChecks.inNamespace(ProfileParser.parse(profile)));
            if (plan != null) {
                BenchmarkCatalog catalog = BenchmarkCatalog.load();
                problems.addAll(ProfileChecks.inNamespace(PlanLoader.sweptSysctls(PlanLoader.load(plan, catalog))));
            }
            problems.forEach(p -> System.err.println("tcplab: " + p));
            return problems.isEmpty() ? Main.OK : Main.BAD_INPUT;
        }
    }

    @Command(name = "run", description = "Run a plan's configurations, each in fresh namespaces.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--profile", required = true)
        Path profile;

        @Option(names = "--plan", required = true)
        Path plan;

        @Option(names = "--run-dir", required = true)
        Path runDir;

        @Option(names = "--benchmarks-jar", required = true)
        Path benchmarksJar;

        @Option(names = "--host-mode", description = "run on this machine, whose settings the parent applied and restores")
        boolean hostMode;

        @Option(names = "--slots", description = "timer-bound configurations side by side (the parent checked what this machine holds)")
        int slots = 1;

        @Option(names = "--machine-speed", description = "the estimates' work factor the parent measured (see MachineSpeed)")
        double machineSpeed = 1;

        @Option(names = "--probe-cpu", description = "the CPU seconds of the parent's probe JVM (see MachineSpeed); 0 when it had none")
        double probeCpu;

        @Option(names = "--remote", description = "two machines: the server side on this ssh destination")
        String remote;

        @Option(names = "--ssh-socket", description = "the run's ssh control socket")
        Path sshSocket;

        @Option(names = "--ssh-config")
        Path sshConfig;

        @Option(names = "--remote-run")
        String remoteRun;

        @Option(names = "--remote-address")
        String remoteAddress;

        @Option(names = "--remote-client-address", description = "this machine's address as the server sees it")
        String remoteClientAddress;

        @Option(names = "--remote-class-path")
        String remoteClassPath;

        @Option(names = "--remote-run-dir")
        String remoteRunDir;

        @Override
        public Integer call() throws Exception {
            if (!hostMode) {
                NetnsGuard.requireLabNamespace();
            }
            Profile parsed = ProfileParser.parse(profile);
            MachineSpeed.use(machineSpeed, Duration.ofNanos(Math.round(probeCpu * 1e9)));
            BenchmarkCatalog catalog = BenchmarkCatalog.load();
            var configurations = PlanLoader.expand(PlanLoader.load(plan, catalog), catalog);
            RunFolder folder = new RunFolder(runDir);
            if (remote == null) {
                return (hostMode ? new LabRun(parsed, configurations, folder, benchmarksJar, true)
                        : new LabRun(parsed, configurations, folder, benchmarksJar, slots)).execute();
            }
            // the server's /proc/net, copied for each read into the run's scratch folder (recreated when a benchmark clears it)
            try {
                LabHost server = LabHost.remote("server", Ssh.attach(remote, sshConfig, sshSocket), remoteRun, remoteAddress, remoteClientAddress, remoteClassPath,
                        folder.dir(), remoteRunDir, folder.file(RunFolder.SCRATCH).resolve("server-proc-net"));
                return new LabRun(parsed, configurations, folder, benchmarksJar, server).execute();
            } finally {
                folder.clearScratch();
            }
        }
    }

    @Command(name = "compare-native", description = "Measure tcplab's client, server and stack against C code doing the same work, round by round.")
    static final class CompareNative implements Callable<Integer> {
        @Option(names = "--profile", required = true)
        Path profile;

        @Option(names = "--comparisons", required = true, split = ",", description = "side:CLOSE_MODE:threads, e.g. client:CLIENT_RST:1")
        List<String> comparisons;

        @Option(names = "--rounds", required = true)
        int rounds;

        @Option(names = "--seconds", required = true)
        int seconds;

        @Option(names = "--warmup", required = true)
        int warmup;

        @Option(names = "--run-dir", required = true)
        Path runDir;

        @Option(names = "--benchmarks-jar", required = true)
        Path benchmarksJar;

        @Option(names = "--c-client", required = true)
        Path cClient;

        @Option(names = "--c-server", required = true)
        Path cServer;

        @Override
        public Integer call() throws Exception {
            NetnsGuard.requireLabNamespace();
            List<Comparison> parsed = comparisons.stream().map(c -> c.split(":")).map(p -> new Comparison(
                    Comparison.Side.valueOf(p[0].toUpperCase(java.util.Locale.ROOT)), CloseMode.valueOf(p[1]), Integer.parseInt(p[2]))).toList();
            new NativeComparison(ProfileParser.parse(profile), parsed, rounds, warmup, seconds, new RunFolder(runDir),
                    new NativeComparison.Binaries(benchmarksJar, cClient, cServer)).execute();
            return Main.OK;
        }
    }
}
