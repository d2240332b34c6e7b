package tcplab.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.kernel.Sysctl;
import tcplab.lab.LabHost;
import tcplab.lab.LabLauncher;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;

/**
 * Host mode against a real kernel without touching this machine: the "machine" tcplab runs on is
 * a network namespace the test makes (net.* sysctls are per namespace), entered with nsenter, and
 * the restore file goes to a folder of the test's ({@code TCPLAB_STATE_DIR}). The profile must be
 * in effect while the run measures and gone afterwards on every exit path; after a SIGKILL every
 * command must refuse until {@code restore} has put the values back.
 */
class HostModeTest {
    private static final String KEY = "net.ipv4.tcp_tw_reuse";
    private static HostState.Snapshot realHostBefore;

    @TempDir
    Path dir;
    private LabHost machine;
    private Path plan;
    private Map<String, String> env;

    @BeforeAll
    static void rootOnly() throws Exception {
        assumeTrue(LabLauncher.isRoot(), "host mode needs root");
        realHostBefore = HostState.Snapshot.take();
    }

    @BeforeEach
    void machine() throws Exception {
        machine = LabHost.start("machine");
        machine.exec("ip", "link", "set", "lo", "up");
        plan = Cli.write(dir, "host.json", """
                {"description": "a loopback benchmark, and what host mode must skip",
                 "jmh": {"forks": 1, "warmupIterations": 0, "iterations": 4, "time": "500ms"},
                 "benchmarks": [{"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt"], "paths": ["loopback", "veth"],
                                 "params": {"closeMode": ["CLIENT_FIN"], "reuseAddr": ["false"], "exchange": ["NONE"]}}],
                 "experiments": [{"experiment": "simultaneous-close", "params": {"pairs": ["2"]}}]}""");
        env = Map.of(RestoreFile.STATE_DIR_ENV, dir.resolve("state").toString());
        assertEquals("2", value(), "a fresh namespace has the kernel's default");
    }

    @AfterEach
    void gone() throws Exception {
        if (machine != null) {
            machine.close();
        }
        realHostBefore.assertNothingAdded("host mode in a namespace of the test's");
    }

    private String value() throws Exception {
        return machine.readSysctls(List.of(Sysctl.of(KEY))).get(KEY);
    }

    private Path restoreFile() {
        return dir.resolve("state").resolve(RestoreFile.NAME);
    }

    private List<String> inMachine() {
        return List.of("nsenter", "--net=/proc/" + machine.pid() + "/ns/net", "--");
    }

    private Cli.Result tcplab(String... args) throws Exception {
        return Cli.run(Duration.ofMinutes(2), env, inMachine(), System.getProperty("java.class.path"), args);
    }

    private Process start(Path out, Path err) throws Exception {
        return Cli.start(env, inMachine(), System.getProperty("java.class.path"), out, err, "run", "--mode", "host",
                HostMode.CONFIRM_FLAG, "--profile", "tw-reuse", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
    }

    /** Waits until the run measures: the profile is applied and the first configuration has started. */
    private void awaitMeasuring(Process p, Path out) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(Files.readString(out).contains("[1/3]") && Files.readString(out).contains("fork 1 of 1"))) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "the run reached its first benchmark: " + Files.readString(out));
            Thread.sleep(50);
        }
    }

    @Test
    void aConfirmedRunHasTheProfileInEffectWhileItMeasuresAndNotAfter() throws Exception {
        Cli.Result r = tcplab("run", "--mode", "host", HostMode.CONFIRM_FLAG, "--profile", "tw-reuse", "--plan", plan.toString(),
                "--reports", dir.resolve("reports").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("host mode: profile tw-reuse applied") && r.out().contains("settings are back as they were"), r.out());
        assertEquals("2", value(), "put back");
        assertFalse(Files.exists(restoreFile()), "the restore file goes once the values are back");

        Path run = Fixtures.runFolder(r);
        List<Map<String, String>> configurations = Fixtures.csv(run.resolve("configurations.csv"));
        assertEquals(List.of("ok", "skipped", "skipped"), configurations.stream().map(c -> c.get("status")).toList(), configurations.toString());
        assertTrue(configurations.get(1).get("message").contains("needs the lab's two hosts"), configurations.get(1).toString());
        Map<String, String> during = Fixtures.csv(run.resolve("sysctls.csv")).stream().filter(s -> s.get("key").equals(KEY)).findFirst().orElseThrow();
        assertEquals("1", during.get("value"), "the profile was in effect on the machine while it measured");
        assertTrue(Fixtures.counter(run, "01-", "client", "Tcp.ActiveOpens", "delta") > 100, "it measured on this machine's loopback");
        var m = Fixtures.json(run.resolve("metadata.json"));
        assertEquals("host", m.path("lab").path("mode").asText());
        assertTrue(m.path("hostSysctlsUnchanged").asBoolean(), "before and after the run, the machine's values are the same");
        assertTrue(Files.readString(run.resolve("report.md")).contains("**host mode**"));
    }

    @Test
    void hostModeMustBeConfirmedAndChangesNothingOtherwise() throws Exception {
        Cli.Result r = tcplab("run", "--mode", "host", "--profile", "tw-reuse", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("confirm with " + HostMode.CONFIRM_FLAG) && r.err().contains("CONFIRM=yes"), r.toString());
        assertEquals("2", value());
        assertFalse(Files.exists(restoreFile()));
        assertFalse(Files.exists(dir.resolve("reports")), "nothing created");
    }

    @Test
    void afterASigkillEveryCommandRefusesUntilRestorePutsTheValuesBack() throws Exception {
        Path out = dir.resolve("kill.out");
        Process p = start(out, dir.resolve("kill.err"));
        awaitMeasuring(p, out);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!HostState.processesWith(Cli.MARKER).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100); // the lab dies with tcplab (pdeathsig, pid namespace)
        }
        assertEquals(List.of(), HostState.processesWith(Cli.MARKER), "no process left");
        assertEquals("1", value(), "a SIGKILL cannot restore: the profile is still in effect");
        assertTrue(Files.readString(restoreFile()).contains(KEY + " = 2"), "the restore file has the machine's value");

        Cli.Result refused = tcplab("list");
        assertEquals(3, refused.exit(), refused.toString());
        assertEquals(1, refused.err().strip().lines().count(), refused.toString());
        assertTrue(refused.err().contains("ended without restoring") && refused.err().contains("(fix: make restore"), refused.toString());

        Cli.Result restored = tcplab("restore");
        assertEquals(0, restored.exit(), restored.toString());
        assertTrue(restored.out().contains("restored " + KEY + " = 2"), restored.toString());
        assertEquals("2", value());
        assertFalse(Files.exists(restoreFile()));
        assertEquals(0, tcplab("list").exit(), "tcplab runs again");
        Cli.Result nothing = tcplab("restore");
        assertTrue(nothing.exit() == 0 && nothing.out().contains("nothing to restore"), nothing.toString());
    }

    @Test
    void sigintAndSigtermRestoreAsTheRunStops() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path out = dir.resolve(signal + ".out");
            Process p = start(out, dir.resolve(signal + ".err"));
            awaitMeasuring(p, out);
            assertEquals("1", value(), "applied while it measures");
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops after SIG" + signal);
            assertEquals(130, p.exitValue(), signal + ": " + Files.readString(out) + Files.readString(dir.resolve(signal + ".err")));
            assertEquals("2", value(), "SIG" + signal + ": put back");
            assertFalse(Files.exists(restoreFile()), "SIG" + signal + ": restore file gone");
        }
    }
}
