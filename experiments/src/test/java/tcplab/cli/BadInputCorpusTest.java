package tcplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tcplab.testing.Cli;
import tcplab.testing.HostState;

/**
 * The bad-input corpus: profiles, plans and command lines a user may get wrong. Each must be
 * refused in seconds with a non-zero exit and one line on stderr that names the problem and the fix,
 * with nothing applied to this machine and nothing created. Commands run in this JVM (as
 * {@code java -jar tcplab.jar} would run them) so the corpus stays cheap to grow: add a case below;
 * those the kernel judges run as their own process, since the lab's process prints their line.
 */
class BadInputCorpusTest {
    @TempDir
    static Path dir;
    static Path reports;
    static HostState.Snapshot hostBefore;

    /** One bad input: files to write first (name → text; null text makes a folder), the arguments, the exit and what the line says. */
    record Case(String name, Map<String, String> files, List<String> args, int exit, String says) {
        /** The kernel judges it: the lab's own process prints the line, so the command runs as its own process here too. */
        boolean kernel() {
            return says.contains("the kernel") || says.contains("read-only") || name.contains("port range");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Case profile(String name, String text, String says) {
        return new Case("profile: " + name, Map.of("bad.conf", text), List.of("check-profile", "{dir}/bad.conf"), 2, says);
    }

    static Case plan(String name, String json, String says) {
        return new Case("plan: " + name, Map.of("bad.json", json), List.of("run", "--profile", "baseline", "--plan", "{dir}/bad.json",
                "--reports", "{reports}"), 2, says);
    }

    static Case command(String name, int exit, String says, String... args) {
        return new Case("command line: " + name, Map.of(), List.of(args), exit, says);
    }

    static String experiment(String entry) {
        return "{\"description\": \"bad\", \"experiments\": [" + entry + "]}";
    }

    static List<Case> corpus() {
        String head = "# A profile a user wrote.\n";
        byte[] noise = new byte[2000];
        new Random(42).nextBytes(noise);
        return List.of(
                profile("malformed line", head + "net.ipv4.tcp_tw_reuse 1\n", "malformed line"),
                profile("misspelled key", head + "net.ipv4.tcp_tw_reuze = 1\n", "did you mean net.ipv4.tcp_tw_reuse?"),
                profile("removed key", head + "net.ipv4.tcp_tw_recycle = 1\n", "removed in Linux 4.12"),
                profile("unknown key", head + "net.ipv4.tcp_make_it_fast = 1\n", "unknown key"),
                profile("value the kernel refuses", head + "net.ipv4.tcp_tw_reuse = 3\n", "the kernel refuses the value '3'"),
                profile("not a number", head + "net.ipv4.tcp_fin_timeout = soon\n", "the kernel refuses the value 'soon'"),
                profile("port range of one number", head + "net.ipv4.ip_local_port_range = 40000\n", "net.ipv4.ip_local_port_range"),
                profile("port range backwards", head + "net.ipv4.ip_local_port_range = 50000 40000\n", "refuses the value '50000 40000'"),
                profile("vm.* key (host-wide)", head + "vm.swappiness = 1\n", "host-wide setting"),
                profile("kernel.* key (host-wide)", head + "kernel.pid_max = 65536\n", "host-wide setting"),
                profile("fs.* key (host-wide)", head + "fs.file-max = 100000\n", "host-wide setting"),
                profile("duplicate key", head + "net.ipv4.tcp_fin_timeout = 5\nnet.ipv4.tcp_fin_timeout = 6\n", "set twice (first on line 2)"),
                profile("no value", head + "net.ipv4.tcp_fin_timeout =\n", "no value after '='"),
                profile("read-only in a namespace", head + "net.core.rmem_max = 8388608\n", "read-only inside a network namespace"),
                profile("huge line", head + "net.ipv4.tcp_fin_timeout = " + "1".repeat(1_000_000) + "\n", "a sysctl profile is a few hundred"),
                profile("binary content", new String(noise, StandardCharsets.ISO_8859_1), "not a text file"),
                new Case("profile: a directory", Map.of("folder.conf", ""), List.of("check-profile", "{dir}/folder.conf"), 2, "is a directory"),
                new Case("profile: missing file", Map.of(), List.of("check-profile", "{dir}/missing.conf"), 2, "no such file"),
                new Case("profile: unknown name for a run", Map.of(), List.of("run", "--profile", "no-such-profile", "--reports", "{reports}"),
                        2, "no such file"),
                plan("malformed JSON", "{\"description\": \"x\", \"benchmarks\": [", "Unexpected end-of-input"),
                plan("unknown experiment", experiment("{\"experiment\": \"port-exhaustion-x\"}"), "unknown experiment 'port-exhaustion-x'"),
                plan("unknown benchmark", "{\"description\": \"x\", \"benchmarks\": [{\"benchmark\": \"NoSuchBenchmark\", \"modes\": [\"thrpt\"],"
                        + " \"paths\": [\"veth\"], \"params\": {}}]}", "unknown benchmark 'NoSuchBenchmark'"),
                plan("unknown parameter", experiment("{\"experiment\": \"port-exhaustion\", \"params\": {\"sekonds\": [\"2\"]}}"),
                        "has no parameter 'sekonds'"),
                plan("parameter not a number", experiment("{\"experiment\": \"port-exhaustion\", \"params\": {\"seconds\": [\"two\"]}}"),
                        "'two' is not a whole number"),
                plan("parameter out of range", experiment("{\"experiment\": \"port-exhaustion\", \"params\": {\"seconds\": [\"99999\"]}}"),
                        "is out of range"),
                plan("bad duration", "{\"description\": \"x\", \"jmh\": {\"time\": \"fast\"}, \"benchmarks\": [{\"benchmark\":"
                        + " \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"], \"params\": {}}]}", "bad time 'fast'"),
                plan("unknown path", experiment("{\"experiment\": \"port-exhaustion\", \"paths\": [\"wifi\"]}"), "unknown path 'wifi'"),
                plan("host-wide sysctl swept", experiment("{\"experiment\": \"port-exhaustion\", \"sysctls\": {\"vm.swappiness\": [\"1\"]}}"),
                        "only per-namespace net.* sysctls"),
                plan("sysctl value refused", experiment("{\"experiment\": \"port-exhaustion\", \"sysctls\": {\"net.ipv4.tcp_tw_reuse\": [\"7\"]}}"),
                        "the kernel refuses the value '7'"),
                plan("nothing to run", "{\"description\": \"x\"}", "lists no benchmarks and no experiments"),
                plan("zero repetitions", "{\"description\": \"x\", \"repetitions\": 0, \"experiments\": [{\"experiment\": \"simultaneous-close\"}]}",
                        "repetitions must be 1 to 100"),
                plan("benchmark parameter value", "{\"description\": \"x\", \"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\":"
                        + " [\"thrpt\"], \"paths\": [\"veth\"], \"params\": {\"closeMode\": [\"SOMETIMES\"]}}]}", "'SOMETIMES' is not one of"),
                new Case("plan: missing file", Map.of(), List.of("run", "--plan", "{dir}/missing.json", "--reports", "{reports}"), 2, "no such plan"),
                new Case("plan: a directory", Map.of("folder.json", ""), List.of("run", "--plan", "{dir}/folder.json", "--reports", "{reports}"),
                        2, "is a directory, not a plan"),
                command("unknown command", 2, "Unmatched argument", "frobnicate"),
                command("misspelled option", 2, "did you mean --profile?", "run", "--profil", "baseline"),
                command("option without its value", 2, "Missing required parameter for option '--profile'", "run", "--profile"),
                command("port out of range", 2, "port 70000 is out of range", "serve", "--port", "70000"),
                command("port not a number", 2, "'abc' is not an int", "serve", "--port", "abc"),
                command("address not of this machine", 2, "cannot listen on 198.51.100.7", "serve", "--bind", "198.51.100.7", "--port", "0"),
                command("bad lifetime", 2, "is not a duration like 500ms", "serve", "--lifetime", "forever"),
                command("zero lifetime", 2, "must be longer than zero", "serve", "--lifetime", "0s"),
                command("bad backlog", 2, "backlog -5 must be at least 1", "serve", "--backlog", "-5"),
                command("unknown close policy", 2, "Invalid value for option '--policy'", "serve", "--policy", "SOMETIMES"),
                command("unknown server engine", 2, "Invalid value for option '--engine'", "serve", "--engine", "KQUEUE"),
                command("report of no run", 2, "is not a run folder", "report", "/nonexistent"),
                command("compare one run", 2, "compare needs two or more runs", "compare", "baseline", "--reports", "{reports}"),
                new Case("command line: compare --out a folder of other files", Map.of("a/metadata.json", "{}", "b/metadata.json", "{}",
                        "notes/todo.txt", "mine"), List.of("compare", "{dir}/a", "{dir}/b", "--out", "{dir}/notes"), 2,
                        "holds other files than a comparison's"),
                command("compare a profile never run", 2, "no run of profile 'baseline'", "compare", "baseline", "tw-reuse", "--reports", "{reports}"),
                command("reports folder not writable", 3, "the reports folder /proc/tcplab is not writable", "run", "--reports", "/proc/tcplab"),
                new Case("command line: reports folder under a file", Map.of("afile", "x"), List.of("run", "--reports", "{dir}/afile/x"), 3,
                        "afile is not a folder"),
                command("host mode unconfirmed", 2, "confirm with --yes-change-this-machine", "run", "--mode", "host", "--reports", "{reports}"),
                command("unknown mode", 2, "--mode hots is neither namespace nor host", "run", "--mode", "hots", "--reports", "{reports}"),
                new Case("plan: sweeps sysctls in host mode", Map.of("bad.json", experiment("{\"experiment\": \"port-exhaustion\", \"sysctls\":"
                        + " {\"net.ipv4.tcp_tw_reuse\": [\"1\"]}}")), List.of("run", "--mode", "host", "--yes-change-this-machine", "--plan",
                        "{dir}/bad.json", "--reports", "{reports}"), 2, "which host mode does not do to this machine"),
                // two machines: refused before ssh runs
                command("remote unconfirmed", 2, "changes the TCP settings of this machine and of root@server.example", "run", "--remote",
                        "root@server.example", "--reports", "{reports}"),
                command("remote not a destination", 2, "'-oProxyCommand=touch' is not an ssh destination", "run", "--remote",
                        "-oProxyCommand=touch", "--yes-change-this-machine", "--reports", "{reports}"),
                command("restore of a remote not a destination", 2, "is not an ssh destination", "restore", "--remote", "root@a;b"),
                command("compare-native close mode", 2, "--close-modes SERVER_FIN is not compared", "compare-native", "--close-modes", "SERVER_FIN"),
                command("compare-native side", 2, "--sides both is not a side (fix: client, server or stack)", "compare-native", "--sides", "both"),
                command("compare-native FIN without reuse", 2, "so the port range, not the code, sets both rates (fix: --profile tw-reuse",
                        "compare-native", "--profile", "baseline", "--close-modes", "CLIENT_FIN"),
                // run-matrix: checked before anything is fetched, booted or created
                command("kernel with no package", 2, "apt has no Debian kernel package for 5.99", "run-matrix", "--kernels", "host 5.99",
                        "--reports", "{reports}"),
                command("kernel name malformed", 2, "'6.1;reboot' is not a kernel name", "run-matrix", "--kernels", "6.1;reboot",
                        "--reports", "{reports}"),
                command("kernel named twice", 2, "names a kernel twice", "run-matrix", "--kernels", "6.1 6.1", "--reports", "{reports}"),
                command("qemu missing", 3, "/nonexistent/qemu-system-x86_64 is not installed", "run-matrix", "--kernels", "6.1",
                        "--qemu", "/nonexistent/qemu-system-x86_64", "--reports", "{reports}"),
                command("no KVM", 3, "is missing: this machine offers no KVM", "run-matrix", "--kernels", "6.1", "--kvm-device",
                        "{dir}/no-kvm", "--reports", "{reports}"));
    }

    @BeforeAll
    static void before() throws Exception {
        hostBefore = HostState.Snapshot.take();
        reports = Files.createDirectories(dir.resolve("reports"));
    }

    @AfterAll
    static void nothingApplied() throws Exception {
        hostBefore.assertNothingAdded("the bad-input corpus");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedInOneLineWithTheFixAndNothingCreated(Case c) throws Exception {
        Path caseDir = Files.createDirectories(dir.resolve("case-" + Math.abs(c.name().hashCode())));
        for (Map.Entry<String, String> f : c.files().entrySet()) {
            if (f.getKey().startsWith("folder")) {
                Files.createDirectories(caseDir.resolve(f.getKey()));
            } else {
                Files.createDirectories(caseDir.resolve(f.getKey()).getParent());
                Files.writeString(caseDir.resolve(f.getKey()), f.getValue(), StandardCharsets.ISO_8859_1);
            }
        }
        List<String> args = new ArrayList<>();
        c.args().forEach(a -> args.add(a.replace("{dir}", caseDir.toString()).replace("{reports}", reports.toString())));
        List<Path> before = listing();
        long t0 = System.nanoTime();
        String[] result;
        if (c.kernel()) {
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            result = new String[] {Integer.toString(r.exit()), r.err(), r.out()};
        } else {
            result = execute(args);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String err = result[1].strip();
        assertEquals(Integer.toString(c.exit()), result[0], c + ": exit\n" + result[1] + result[2]);
        assertEquals(1, err.lines().count(), c + ": one line, not " + err);
        assertTrue(err.startsWith("tcplab: ") && err.contains(c.says()), c + ": names the problem: " + err);
        assertTrue(err.contains("fix: "), c + ": names the fix: " + err);
        assertTrue(seconds < 10, c + ": answered in " + seconds + " s");
        assertEquals(before, listing(), c + ": nothing created");
    }

    /** Every file and folder the corpus could have created: under the test's folder and the reports folder. */
    private static List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.sorted().toList();
        }
    }

    /** {exit, stderr, stdout} of {@code tcplab ARGS}, run here. */
    private static String[] execute(List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.execute(args.toArray(String[]::new));
            return new String[] {Integer.toString(exit), e.toString(StandardCharsets.UTF_8), o.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
