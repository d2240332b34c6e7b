package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;

/**
 * Profiles checked by the real kernel in a throwaway namespace, and bad input of every kind:
 * each refused with one line naming the problem and the fix, a non-zero exit, nothing applied,
 * nothing created.
 */
class CheckProfileTest {
    private static HostState.Snapshot before;

    @TempDir
    Path dir;

    @BeforeAll
    static void snapshot() throws Exception {
        before = HostState.Snapshot.take();
    }

    @AfterAll
    static void nothingWasAppliedOrLeftBehind() throws Exception {
        Thread.sleep(300);
        // every lab process these tests started is gone, and with them their (unnamed) namespaces
        assertEquals(List.of(), HostState.processesWith(Cli.MARKER), "processes left behind");
        before.assertNothingAdded("check-profile and its bad input");
    }

    @Test
    void everyShippedProfileIsAcceptedByThisKernel() throws Exception {
        try (Stream<Path> files = Files.list(Cli.HOME.resolve("sysctl-profiles"))) {
            for (Path profile : files.filter(f -> f.toString().endsWith(".conf")).sorted().toList()) {
                Cli.Result r = Cli.run("check-profile", profile.toString());
                assertEquals(0, r.exit(), r.toString());
                assertTrue(r.out().contains("is OK") && r.out().contains("nothing was applied"), r.toString());
            }
        }
    }

    /** Values and keys only the kernel can judge, asked inside a fresh namespace. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "value out of range     | net.ipv4.tcp_tw_reuse = 3                 | the kernel refuses the value '3' (Invalid argument) | use 0 (off), 1 (on) or 2",
        "SYN retries too high   | net.ipv4.tcp_syn_retries = 200            | the kernel refuses the value '200'                   | 1 to 127",
        "port range backwards   | net.ipv4.ip_local_port_range = 50000 40000 | the kernel refuses the value '50000 40000'          | LOW <= HIGH",
        "privileged port range  | net.ipv4.ip_local_port_range = 80 1000    | the kernel refuses the value '80 1000'               | ip_unprivileged_port_start",
        "not a number           | net.ipv4.tcp_fin_timeout = soon           | the kernel refuses the value 'soon'                  | value the kernel accepts",
        "read-only net key      | net.core.rmem_max = 8388608               | read-only inside a network namespace                 | remove it",
        "net key absent in ns   | net.ipv4.tcp_mem = 1 2 3                  | the host has it but a network namespace does not     | remove it",
    })
    void kernelRefusesAndSaysWhere(String what, String line, String problem, String fix) throws Exception {
        Path profile = Fixtures.profile(dir, "bad", "net.ipv4.tcp_timestamps = 1", line);
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run("check-profile", profile.toString());
        assertEquals(2, r.exit(), r.toString());
        String key = line.substring(0, line.indexOf('=')).trim();
        String expected = "tcplab: " + profile + ":3: " + key + ": ";
        assertEquals(1, r.err().lines().count(), "one line: " + r);
        assertTrue(r.err().startsWith(expected), "names file, line and key: " + r);
        assertTrue(r.err().contains(problem) && r.err().contains("(fix: ") && r.err().contains(fix), r.toString());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "answers in seconds");
    }

    @Test
    void hostWideKeysAreRefusedBeforeAnyNamespaceIsMade() throws Exception {
        Path profile = Fixtures.profile(dir, "hostwide", "vm.swappiness = 1", "kernel.pid_max = 65536", "net.ipv4.tcp_tw_reuze = 1");
        Cli.Result r = Cli.run("check-profile", profile.toString());
        assertEquals(2, r.exit(), r.toString());
        assertEquals(3, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains(":2: vm.swappiness: host-wide setting"), r.toString());
        assertTrue(r.err().contains(":3: kernel.pid_max: host-wide setting"), r.toString());
        assertTrue(r.err().contains(":4: net.ipv4.tcp_tw_reuze: unknown key") && r.err().contains("did you mean net.ipv4.tcp_tw_reuse?"), r.toString());
    }

    @Test
    void aRunWithABadProfileOrPlanCreatesNothing() throws Exception {
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Path badProfile = Fixtures.profile(dir, "refused", "net.ipv4.tcp_tw_reuse = 9");
        Cli.Result r = Cli.run("run", "--profile", badProfile.toString(), "--plan", "quick", "--reports", reports.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("refuses the value '9'"), r.toString());
        Cli.Result plan = Cli.run("run", "--profile", "baseline", "--plan", "no-such-plan", "--reports", reports.toString());
        assertEquals(2, plan.exit(), plan.toString());
        assertTrue(plan.err().contains("no such plan (fix: use PLAN=quick or PLAN=full"), plan.toString());
        Cli.Result missing = Cli.run("run", "--profile", "no-such-profile", "--reports", reports.toString());
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("no such file (fix: run `make list`"), missing.toString());
        try (Stream<Path> created = Files.list(reports)) {
            assertEquals(0, created.count(), "a refused run creates no folder");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown command     | frobnicate                          | Unmatched argument",
        "unknown option      | run --profil baseline               | Unknown options: '--profil', 'baseline' (fix: did you mean --profile?",
        "port out of range   | serve --port 70000                  | port 70000 is out of range",
        "bad lifetime        | serve --lifetime forever            | is not a duration like 500ms",
        "unknown policy      | serve --policy SOMETIMES            | Invalid value for option '--policy'",
        "report of nothing   | report /nonexistent                 | is not a run folder",
    })
    void badCommandLinesGetOneLineAndExitTwo(String what, String args, String expected) throws Exception {
        Cli.Result r = Cli.run(args.split(" "));
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line: " + r);
        assertTrue(r.err().startsWith("tcplab: ") && r.err().contains(expected) && r.err().contains("fix"), r.toString());
    }
}
