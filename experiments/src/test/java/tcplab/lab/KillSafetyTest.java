package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.kernel.NetnsGuard;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;

/**
 * A run killed at any moment leaves no namespace, no process and no changed setting behind, and
 * every raw row it wrote stays whole. Kill moments are random; the seed is printed, and
 * {@code -Dtcplab.killSeed=N} replays them.
 */
class KillSafetyTest {
    /**
     * The kernel tears a pid namespace down in well under a second. The plan below runs for about
     * 20 s, far longer than a kill delay plus this window, so a lab that escaped a kill would still
     * be running when it is looked for, not quietly finished.
     */
    private static final Duration CLEANUP = Duration.ofSeconds(5);
    private static String hostNamespace;

    @TempDir
    Path dir;

    private Path plan;
    private String marker;

    @BeforeAll
    static void snapshot() throws Exception {
        hostNamespace = NetnsGuard.current();
    }

    @BeforeEach
    void plan() throws Exception {
        plan = Fixtures.plan(dir, "kill", "{\"forks\": 1, \"warmupIterations\": 1, \"warmupTime\": \"500ms\", \"iterations\": 2, \"time\": \"500ms\"}",
                Fixtures.entry("ConnectCloseBenchmark", "\"thrpt\", \"sample\"", "\"veth\", \"loopback\"",
                        "\"closeMode\": [\"CLIENT_FIN\", \"CLIENT_RST\"], \"reuseAddr\": [\"false\"], \"exchange\": [\"NONE\"]"));
        marker = "TCPLAB_TEST_MARKER=" + UUID.randomUUID();
    }

    @Test
    void sigkillOfTcplabAtRandomMomentsLeavesNothingBehind() throws Exception {
        long seed = Long.getLong("tcplab.killSeed", System.nanoTime());
        System.out.println("KillSafetyTest seed " + seed + ", " + Integer.getInteger("tcplab.killRounds", 1) + " rounds (replay with -Dtcplab.killSeed=" + seed + ")");
        Random random = new Random(seed);
        // make test kills at 4 moments; make test-faults at 24. Moments are spread over the whole run:
        // one at random in each of ROUNDS equal slices of its first 18 s (the plan takes about 20 s)
        int rounds = Integer.getInteger("tcplab.killRounds", 1);
        for (int i = 0; i < rounds; i++) {
            long delay = 200 + (long) ((i + random.nextDouble()) / rounds * 18_000);
            Running run = start(List.of(), "round" + i);
            Set<String> seen = watch(run, delay);
            run.process.destroyForcibly(); // SIGKILL
            assertNothingLeft(run, seen, "SIGKILL of tcplab after " + delay + " ms (seed " + seed + ")");
            marker = "TCPLAB_TEST_MARKER=" + UUID.randomUUID();
        }
    }

    @Test
    void sigkillOfTheLabProcessItselfLeavesNothingBehindAndTheRunIsReported() throws Exception {
        Running run = start(List.of(), "lab");
        Set<String> seen = watch(run, 4000);
        ProcessHandle lab = labProcess(run).orElseThrow(() -> new AssertionError("no lab process after 4 s"));
        lab.destroyForcibly();
        assertTrue(run.process.waitFor(60, TimeUnit.SECONDS), "tcplab ends when its lab is killed");
        assertEquals(137, run.process.exitValue(), "reports the lab's SIGKILL");
        assertNothingLeft(run, seen, "SIGKILL of the lab's pid 1");
        Path folder = onlyRunFolder(run.reports);
        JsonNode m = Fixtures.json(folder.resolve("metadata.json"));
        assertEquals("killed", m.path("status").asText());
        assertTrue(Files.readString(folder.resolve("report.md")).contains("This run did not complete"), "a partial report is drawn");
    }

    @Test
    void sigkillOfTheParentThatStartedTcplabEndsTheRunToo() throws Exception {
        // make starts tcplab under `setpriv --pdeathsig KILL`; a shell that waits plays make here
        Running run = start(List.of("sh", "-c", "\"$@\"; exit $?", "sh", "setpriv", "--pdeathsig", "KILL", "--"), "parent");
        Set<String> seen = watch(run, 3000);
        run.process.destroyForcibly();
        assertNothingLeft(run, seen, "SIGKILL of the parent");
    }

    @Test
    void sigintStopsCleanlyAndKeepsAPartialReport() throws Exception {
        Running run = start(List.of(), "sigint");
        // interrupt while JMH measures the second configuration: its warmup line is echoed and a
        // second of iterations remains, so the signal cannot fall between two configurations
        Set<String> seen = watch(run, 30_000, () -> Files.readString(run.out).matches("(?s).*\\[2/8\\].*warmup 1:.*"));
        assertTrue(run.process.isAlive(), "the run is still measuring when the signal is sent");
        new ProcessBuilder("kill", "-INT", Long.toString(run.process.pid())).start().waitFor();
        assertTrue(run.process.waitFor(60, TimeUnit.SECONDS), "tcplab stops after SIGINT");
        assertEquals(130, run.process.exitValue(), Files.readString(run.err));
        assertNothingLeft(run, seen, "SIGINT");
        Path folder = onlyRunFolder(run.reports);
        assertEquals("interrupted", Fixtures.json(folder.resolve("metadata.json")).path("status").asText());
        List<Map<String, String>> rows = Fixtures.csv(folder.resolve("configurations.csv"));
        assertTrue(rows.size() < 8, "stopped early: " + rows.size());
        assertEquals("interrupted", rows.get(rows.size() - 1).get("status"));
        assertTrue(Files.readString(run.out).strip().endsWith(folder.getFileName() + "/"), "still prints the run folder last");
        assertTrue(Files.exists(folder.resolve("report.html")));
    }

    /** A started run, with what the machine had just before it (JMH deletes its temporary files only when it ends normally). */
    private record Running(Process process, Path reports, Path out, Path err, HostState.Snapshot before) {
    }

    private Running start(List<String> prefix, String name) throws IOException, InterruptedException {
        Path reports = dir.resolve("reports-" + name);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        String[] kv = marker.split("=", 2);
        HostState.Snapshot before = HostState.Snapshot.take();
        Process p = Cli.start(Map.of(kv[0], kv[1]), prefix, System.getProperty("java.class.path"), out, err,
                "run", "--profile", "narrow-ports", "--plan", plan.toString(), "--reports", reports.toString());
        return new Running(p, reports, out, err, before);
    }

    /** Waits {@code millis}, noting every network namespace the run's processes use. */
    private Set<String> watch(Running run, long millis) throws Exception {
        return watch(run, millis, () -> false);
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Waits {@code millis} at most, or until {@code until} holds, noting every network namespace the run's processes use. */
    private Set<String> watch(Running run, long millis, Condition until) throws Exception {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline && run.process.isAlive() && !until.holds()) {
            for (long pid : HostState.processesWith(marker)) {
                try {
                    seen.add(NetnsGuard.of(pid));
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
            Thread.sleep(50);
        }
        seen.remove(hostNamespace);
        return seen;
    }

    private Optional<ProcessHandle> labProcess(Running run) {
        return run.process.toHandle().descendants()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains("lab") && List.of(a).contains("run")).orElse(false))
                .findFirst();
    }

    private void assertNothingLeft(Running run, Set<String> labNamespaces, String what) throws Exception {
        long deadline = System.nanoTime() + CLEANUP.toNanos();
        List<Long> left = HostState.processesWith(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = HostState.processesWith(marker);
        }
        assertEquals(List.of(), left, what + ": processes left behind");
        Set<String> still = new HashSet<>(HostState.netNamespaces());
        still.retainAll(labNamespaces);
        assertEquals(Set.of(), still, what + ": network namespaces left behind (of " + labNamespaces.size() + " the run used)");
        run.before().assertNothingAdded(what); // named namespaces, sysctls, nft tables, temporary files
        if (Files.isDirectory(run.reports)) {
            try (Stream<Path> runs = Files.walk(run.reports, 2)) {
                for (Path folder : runs.filter(p -> Files.exists(p.resolve("metadata.json"))).toList()) {
                    Fixtures.assertEveryCsvParses(folder); // every row written before the kill is whole
                }
            }
        }
    }

    private static Path onlyRunFolder(Path reports) throws IOException {
        try (Stream<Path> runs = Files.walk(reports, 2)) {
            List<Path> folders = runs.filter(p -> !Files.isSymbolicLink(p) && Files.exists(p.resolve("metadata.json"))).toList();
            assertEquals(1, folders.size(), folders.toString());
            return folders.get(0);
        }
    }
}
