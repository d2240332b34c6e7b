package tcplab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.kernel.TcpModel;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.lab.Processes;
import tcplab.nativecompare.Comparison;
import tcplab.nativecompare.NativeComparison;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;
import tcplab.results.Metadata;
import tcplab.results.RunFolder;
import tcplab.socket.CloseMode;

/**
 * {@code tcplab compare-native}: is tcplab the bottleneck? Its client, its server and the two together
 * against C code doing the same work, on the same path, in alternating rounds.
 */
@Command(name = "compare-native", mixinStandardHelpOptions = true,
        description = {"Measure tcplab against C code doing the same work on the same veth path,",
                "in alternating rounds, each measurement in fresh namespaces:",
                "  client  ConnectCloseBenchmark against a C client (connect_close.c),",
                "          both against the tcplab server",
                "  server  the tcplab server against a C server (serve.c), both under the",
                "          C client",
                "  stack   ConnectCloseBenchmark exchange=REQUEST + tcplab serve --policy",
                "          ANSWER against the C pair (neper tcp_crr's work: 1-byte request",
                "          and answer, RST close)",
                "Prints tcplab's rate as a share of C's per comparison with the rounds'",
                "range, and draws one chart."},
        footer = {"", "Examples:", "  tcplab compare-native        # every side, both closes, 1 and 2 threads",
                "  tcplab compare-native --sides server --close-modes CLIENT_RST --threads 1"})
final class CompareNativeCommand implements Callable<Integer> {
    @Option(names = {"-p", "--profile"}, defaultValue = "tw-reuse", description = "profile (default: ${DEFAULT-VALUE}: a FIN close leaves TIME_WAIT, and without reuse the port range sets the rate)")
    String profile;

    @Option(names = "--sides", split = ",", defaultValue = "client,server,stack", description = "client, server, stack (default: ${DEFAULT-VALUE})")
    List<String> sides;

    @Option(names = "--close-modes", split = ",", defaultValue = "CLIENT_RST,CLIENT_FIN",
            description = "CLIENT_RST, CLIENT_FIN (default: ${DEFAULT-VALUE}; the stack closes with an RST only)")
    List<CloseMode> closeModes;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "client threads, one connection at a time each (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--rounds", defaultValue = "5", description = "rounds, each measuring every comparison's two contenders (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per measurement (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", defaultValue = "" + NativeComparison.WARMUP_SECONDS,
            description = "seconds of load before each measurement counts, for both contenders (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--reports", paramLabel = "DIR", description = "where the result folder goes (default: reports/ in the checkout)")
    Path reports;

    @Override
    public Integer call() throws Exception {
        List<Comparison> comparisons = comparisons();
        if (rounds < 1 || rounds > 50 || seconds < 1 || seconds > 600 || warmup < 1 || warmup > 60) {
            throw new IllegalArgumentException("--rounds must be 1 to 50, --seconds 1 to 600 and --warmup 1 to 60 (fix: e.g. --rounds 5"
                    + " --seconds 5 --warmup 3)");
        }
        Home home = Home.find();
        Profile parsed = ProfileChecks.parseForHost(home.profile(profile));
        Map<String, String> settings = new HashMap<>();
        parsed.entries().forEach(e -> settings.put(e.key().name(), e.value()));
        if (closeModes.contains(CloseMode.CLIENT_FIN) && !TcpModel.timeWaitReuse(settings, false)) {
            throw new IllegalArgumentException("--close-modes CLIENT_FIN under profile " + parsed.name() + ": it reuses no TIME_WAIT port on veth,"
                    + " so the port range, not the code, sets both rates (fix: --profile tw-reuse, or --close-modes CLIENT_RST)");
        }
        Path jar = home.benchmarksJar();
        if (!Files.isRegularFile(jar)) {
            throw new LabException(jar + " is missing", "run `make build`");
        }
        if (LabLauncher.findOnPath("gcc") == null) {
            throw new LabException("`gcc` is not installed; it builds the C client and server", "apt-get install gcc");
        }
        LabLauncher.checkPrerequisites();
        Path profileFile = parsed.file().toAbsolutePath();
        if (LabLauncher.run(List.of("check", "--profile", profileFile.toString())) != Main.OK) {
            return Main.BAD_INPUT;
        }
        RunFolder folder = RunFolder.create(reports != null ? reports : home.reports(), "compare-native", Instant.now());
        Path client = compile(home, folder, "connect_close", "-pthread");
        Path server = compile(home, folder, "serve");
        ObjectNode m = Metadata.JSON.createObjectNode();
        m.put("command", "tcplab compare-native --profile " + profile + " --sides " + String.join(",", sides) + " --close-modes "
                + String.join(",", closeModes.stream().map(Enum::name).toList()) + " --threads "
                + String.join(",", threads.stream().map(String::valueOf).toList()) + " --rounds " + rounds + " --warmup " + warmup + " --seconds " + seconds);
        m.put("started", Instant.now().toString());
        m.set("tcplab", Metadata.tcplab(home.root()));
        m.set("machine", Metadata.machine());
        m.set("jdk", Metadata.jdk());
        m.put("gcc", Processes.run(List.of("gcc", "--version"), null, Duration.ofSeconds(10)).lines().findFirst().orElse(""));
        m.put("profile", parsed.name());
        Metadata.write(folder.file(RunFolder.METADATA), m);
        Files.writeString(folder.file(RunFolder.PROFILE_COPY), parsed.text());

        List<String> args = new ArrayList<>(List.of("compare-native", "--profile", profileFile.toString(),
                "--comparisons", String.join(",", comparisons.stream().map(c -> c.side().word + ":" + c.closeMode() + ":" + c.threads()).toList()),
                "--rounds", Integer.toString(rounds), "--warmup", Integer.toString(warmup), "--seconds", Integer.toString(seconds),
                "--run-dir", folder.dir().toAbsolutePath().toString(), "--benchmarks-jar", jar.toAbsolutePath().toString(),
                "--c-client", client.toAbsolutePath().toString(), "--c-server", server.toAbsolutePath().toString()));
        int exit = LabLauncher.run(args);
        System.out.println(RunCommand.shown(folder.dir()) + "/");
        return exit;
    }

    private List<Comparison> comparisons() {
        List<Comparison.Side> parsedSides = new ArrayList<>();
        for (String side : sides) {
            try {
                parsedSides.add(Comparison.Side.valueOf(side.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--sides " + side + " is not a side (fix: client, server or stack)");
            }
        }
        for (CloseMode mode : closeModes) {
            if (mode != CloseMode.CLIENT_RST && mode != CloseMode.CLIENT_FIN) {
                throw new IllegalArgumentException("--close-modes " + mode + " is not compared (fix: CLIENT_RST or CLIENT_FIN)");
            }
        }
        for (int t : threads) {
            if (t < 1 || t > Comparison.MAX_THREADS) {
                throw new IllegalArgumentException("--threads " + t + " is out of range (fix: 1 to " + Comparison.MAX_THREADS
                        + ", e.g. --threads 1,2)");
            }
        }
        List<Comparison> all = Comparison.all(parsedSides, closeModes, threads);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("--sides stack --close-modes CLIENT_FIN compares nothing: the stack closes with an RST"
                    + " (fix: add CLIENT_RST to --close-modes)");
        }
        return all;
    }

    /** Builds one of benchmarks/src/main/c/ into the run's folder, so the run keeps the binary it measured. */
    private static Path compile(Home home, RunFolder folder, String name, String... flags) throws LabException {
        Path binary = folder.file(name);
        List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", binary.toString(), home.root().resolve("benchmarks/src/main/c/" + name + ".c").toString()));
        Processes.run(command, null, Duration.ofSeconds(60));
        return binary;
    }
}
