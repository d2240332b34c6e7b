package tcplab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.lab.Processes;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;
import tcplab.results.Metadata;
import tcplab.results.RunFolder;
import tcplab.socket.CloseMode;

/** {@code tcplab compare-native}: is the benchmark the bottleneck? It against a minimal C client, same path, same server. */
@Command(name = "compare-native", mixinStandardHelpOptions = true,
        description = {"Measure ConnectCloseBenchmark against a minimal native C client (socket, SO_LINGER, connect, close)",
                "over the same veth path and server, in interleaved rounds, each in fresh namespaces; prints the ratio."},
        footer = {"", "Examples:", "  tcplab compare-native --close-mode CLIENT_RST",
                "  tcplab compare-native --close-mode CLIENT_FIN --profile tw-reuse   # CLIENT_FIN needs reuse, or the port range is the limit"})
final class CompareNativeCommand implements Callable<Integer> {
    @Option(names = {"-p", "--profile"}, defaultValue = "baseline", description = "profile (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--close-mode", defaultValue = "CLIENT_RST", description = "CLIENT_RST or CLIENT_FIN (default: ${DEFAULT-VALUE})")
    CloseMode closeMode;

    @Option(names = "--rounds", defaultValue = "5", description = "rounds, each measuring both clients (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per client and round, after 1 s of warmup (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--reports", paramLabel = "DIR", description = "where the result folder goes (default: reports/ in the checkout)")
    Path reports;

    @Override
    public Integer call() throws Exception {
        if (closeMode != CloseMode.CLIENT_RST && closeMode != CloseMode.CLIENT_FIN) {
            throw new IllegalArgumentException("--close-mode " + closeMode + " is not compared (fix: CLIENT_RST or CLIENT_FIN)");
        }
        if (rounds < 1 || rounds > 50 || seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("--rounds must be 1 to 50 and --seconds 1 to 600 (fix: e.g. --rounds 5 --seconds 5)");
        }
        Home home = Home.find();
        Profile parsed = ProfileChecks.parseForHost(home.profile(profile));
        Path jar = home.benchmarksJar();
        Path source = home.root().resolve("benchmarks/src/main/c/connect_close.c");
        if (!Files.isRegularFile(jar)) {
            throw new LabException(jar + " is missing", "run `make build`");
        }
        if (LabLauncher.findOnPath("gcc") == null) {
            throw new LabException("`gcc` is not installed; it builds the native client", "apt-get install gcc");
        }
        LabLauncher.checkPrerequisites();
        Path profileFile = parsed.file().toAbsolutePath();
        if (LabLauncher.run(List.of("check", "--profile", profileFile.toString())) != Main.OK) {
            return Main.BAD_INPUT;
        }
        RunFolder folder = RunFolder.create(reports != null ? reports : home.reports(), "compare-native", Instant.now());
        Path client = folder.file("connect_close");
        Processes.run(List.of("gcc", "-O2", "-Wall", "-o", client.toString(), source.toString()), null, Duration.ofSeconds(60));
        ObjectNode m = Metadata.JSON.createObjectNode();
        m.put("command", "tcplab compare-native --profile " + profile + " --close-mode " + closeMode + " --rounds " + rounds + " --seconds " + seconds);
        m.put("started", Instant.now().toString());
        m.set("tcplab", Metadata.tcplab(home.root()));
        m.set("machine", Metadata.machine());
        m.set("jdk", Metadata.jdk());
        m.put("gcc", Processes.run(List.of("gcc", "--version"), null, Duration.ofSeconds(10)).lines().findFirst().orElse(""));
        m.put("profile", parsed.name());
        Metadata.write(folder.file(RunFolder.METADATA), m);
        Files.writeString(folder.file(RunFolder.PROFILE_COPY), parsed.text());

        int exit = LabLauncher.run(List.of("compare-native", "--profile", profileFile.toString(), "--close-mode", closeMode.name(),
                "--rounds", Integer.toString(rounds), "--seconds", Integer.toString(seconds),
                "--run-dir", folder.dir().toAbsolutePath().toString(), "--benchmarks-jar", jar.toAbsolutePath().toString(),
                "--native", client.toAbsolutePath().toString()));
        System.out.println(RunCommand.shown(folder.dir()) + "/");
        return exit;
    }
}
