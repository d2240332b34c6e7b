package tcplab.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.host.HostMode;
import tcplab.kernel.Sysctl;
import tcplab.lab.LabLauncher;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;
import tcplab.testing.SshMachines;

/**
 * {@code tcplab run --remote} against a real sshd: the "server machine" is a namespace this test
 * makes (see {@link SshMachines}), tcplab runs in a second one as the client, and everything between
 * them goes over real ssh. Asserted against the real kernels of both namespaces: the profile is in
 * effect on both while the run measures and put back after; the server's counters and files come
 * from the server; nothing is left on either side (processes, nft tables, restore files, run
 * folders). The link-loss and SIGINT variants are longer and opt-in ({@code make test-remote}).
 */
class TwoMachineRunTest {
    /** Keys the test profile sets: one the client's connect() obeys, one only the server's listener does. */
    static final String SYN_RETRIES = "net.ipv4.tcp_syn_retries";
    static final String SOMAXCONN = "net.core.somaxconn";
    static final boolean LONG = Boolean.getBoolean("tcplab.remoteLong");

    @TempDir
    static Path dir;
    static SshMachines machines;
    static HostState.Snapshot before;
    static String serverSomaxconn;
    static String clientSynRetries;
    static Path profile;
    static Path plan;

    @BeforeAll
    static void machines() throws Exception {
        assumeTrue(LabLauncher.isRoot(), "the namespaced sshd and host mode on both sides need root");
        assumeTrue(Files.isExecutable(SshMachines.SSHD), "sshd is missing: make test installs openssh-server as root (prereqs.sh --tests)");
        before = HostState.Snapshot.take();
        machines = SshMachines.start(dir.resolve("machines"));
        serverSomaxconn = machines.serverSysctl(SOMAXCONN);
        clientSynRetries = machines.client().readSysctls(List.of(Sysctl.of(SYN_RETRIES))).get(SYN_RETRIES);
        profile = Cli.write(dir, "two.conf", "# two machines: SYNs retried once; the server's accept queue capped at 1234\n"
                + SYN_RETRIES + " = 1\n" + SOMAXCONN + " = 1234\n");
        plan = Cli.write(dir, "two.json", """
                {"description": "a benchmark, two experiments that run across machines, and three things a two-machine run skips",
                 "jmh": {"forks": 1, "warmupIterations": 0, "iterations": 2, "time": "500ms"},
                 "benchmarks": [{"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt"], "paths": ["veth", "loopback"],
                                 "params": {"closeMode": ["CLIENT_RST"], "reuseAddr": ["false"], "exchange": ["NONE"]}}],
                 "experiments": [
                   {"experiment": "connect-timeout"},
                   {"experiment": "time-wait-lifetime", "params": {"sockets": ["4"], "watch": ["1"]}},
                   {"experiment": "stuck-write", "params": {"variant": ["PLAIN"]}},
                   {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["2"]}}]}""");
    }

    @AfterAll
    static void nothingLeft() throws Exception {
        if (machines != null) {
            machines.close();
        }
        if (before != null) {
            before.assertNothingAdded("two-machine runs between namespaces of the test's");
        }
    }

    static Cli.Result tcplab(String... args) throws Exception {
        return Cli.run(Duration.ofMinutes(4), machines.clientEnv(), machines.inClient(), System.getProperty("java.class.path"), args);
    }

    static String[] runArgs(String sshVariant, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--remote", machines.destination(), "--ssh-config",
                machines.sshConfig(sshVariant).toString(), HostMode.CONFIRM_FLAG, "--profile", profile.toString(), "--plan", plan.toString(),
                "--reports", dir.resolve("reports").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Both machines as they were: settings, restore files, firewall tables, processes and run folders there. */
    static void bothAsBefore(String when) throws Exception {
        assertEquals(serverSomaxconn, machines.serverSysctl(SOMAXCONN), when + ": the server's setting is back");
        assertEquals(clientSynRetries, machines.client().readSysctls(List.of(Sysctl.of(SYN_RETRIES))).get(SYN_RETRIES),
                when + ": the client's setting is back");
        assertFalse(machines.serverRestorePending(), when + ": the server's restore file is gone");
        assertFalse(Files.exists(machines.clientRestoreFile()), when + ": the client's restore file is gone");
        assertFalse(machines.serverNftTables().contains("tcplab"), when + ": no tcplab firewall table is left on the server: "
                + machines.serverNftTables());
        assertEquals("", machines.serverRunFolders(), when + ": the server's folder of the run is deleted");
        assertEquals(List.of(), machines.serverProcessesAfter(Duration.ofSeconds(10)), when + ": no process is left on the server");
        assertEquals(List.of(), HostState.processesWith(Cli.MARKER), when + ": no process of the run is left on the client");
    }

    @Test
    void aRunDrivesTheServerOverSshWithTheProfileOnBothAndLeavesNothing() throws Exception {
        Cli.Result r = tcplab(runArgs(""));
        assertEquals(0, r.exit(), r.toString());
        Path run = Fixtures.runFolder(r);
        JsonNode m = Fixtures.json(run.resolve("metadata.json"));
        assertEquals("complete", m.path("status").asText(), r.toString());
        assertEquals("two machines", m.path("lab").path("mode").asText());
        assertEquals(SshMachines.SERVER_ADDRESS, m.path("lab").path("serverAddress").asText());
        assertEquals(SshMachines.CLIENT_ADDRESS, m.path("lab").path("clientAddress").asText());
        assertEquals(serverSomaxconn, m.path("remote").path("sysctlsBefore").path(SOMAXCONN).asText(), "the server's value before");
        assertEquals(serverSomaxconn, m.path("remote").path("sysctlsAfter").path(SOMAXCONN).asText(), "the server's value after");
        assertTrue(m.path("remote").path("rttAtStart").path("rttMs").asDouble() > 0, "the path's RTT was measured: " + m.path("remote"));
        assertEquals("tl-ssh-s", m.path("remote").path("nic").path("device").asText(), "the server's device toward the client");

        List<Map<String, String>> rows = Fixtures.csv(run.resolve("configurations.csv"));
        assertEquals(List.of("ok", "skipped", "ok", "ok", "skipped", "skipped"), rows.stream().map(c -> c.get("status")).toList(), rows.toString());
        assertTrue(rows.get(1).get("message").contains("loopback"), rows.get(1).toString());
        assertTrue(rows.get(4).get("message").contains("cut the ssh link too"), rows.get(4).toString());
        assertTrue(rows.get(5).get("message").contains("put the values in the profile"), rows.get(5).toString());

        // the profile was in effect on each machine while it measured, as read back there
        List<Map<String, String>> sysctls = Fixtures.csv(run.resolve("sysctls.csv"));
        assertEquals("1234", value(sysctls, "server", SOMAXCONN), "on the server");
        assertEquals("1", value(sysctls, "client", SYN_RETRIES), "on the client");
        // the server's counters are the server's: it accepted what the client opened
        long opened = Fixtures.counter(run, "01-", "client", "Tcp.ActiveOpens", "delta");
        long accepted = Fixtures.counter(run, "01-", "server", "Tcp.PassiveOpens", "delta");
        assertTrue(opened > 100 && Math.abs(opened - accepted) <= 2, "client opened " + opened + ", server accepted " + accepted);
        assertTrue(Files.size(run.resolve("raw").resolve(rows.get(0).get("id") + ".server.csv")) > 0,
                "the server's counter file came back from the server");

        // connect-timeout, with its fault on the server and tcp_syn_retries 1 from the profile: the claims function judged it
        List<Map<String, String>> claims = Fixtures.csv(run.resolve("claims.csv"));
        Map<String, String> giveUp = claims.stream().filter(c -> c.get("experiment").equals("connect-timeout")).findFirst().orElseThrow();
        assertFalse(giveUp.get("verdict").equals("disagrees"), giveUp.toString());

        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("Two hosts: " + SshMachines.CLIENT_ADDRESS) && report.contains("→ " + machines.destination()),
                "the report names both hosts and the RTT");
        assertTrue(report.contains("RTT "), report.substring(0, Math.min(2000, report.length())));
        bothAsBefore("after a normal end");
    }

    static String value(List<Map<String, String>> sysctls, String host, String key) {
        return sysctls.stream().filter(s -> s.get("host").equals(host) && s.get("key").equals(key)).map(s -> s.get("value")).findFirst()
                .orElse("(not read back on the " + host + ")");
    }

    @Test
    void refusalsAreOneLineAndChangeNothingOnEitherMachine() throws Exception {
        Cli.Result unconfirmed = tcplab("run", "--remote", machines.destination(), "--ssh-config", machines.sshConfig("").toString(),
                "--profile", profile.toString(), "--plan", plan.toString(), "--reports", dir.resolve("refused").toString());
        assertEquals(2, unconfirmed.exit(), unconfirmed.toString());
        assertTrue(unconfirmed.err().contains("CONFIRM=yes"), unconfirmed.err());

        Cli.Result noServer = tcplab(runArgs("no_server"));
        assertEquals(3, noServer.exit(), noServer.toString());
        assertTrue(noServer.err().contains("cannot reach " + machines.destination() + " over ssh") && noServer.err().contains("Connection refused")
                && noServer.err().contains("fix:"), noServer.err());
        assertEquals(1, noServer.err().strip().lines().count(), noServer.err());

        Cli.Result wrongKey = tcplab(runArgs("wrong_key"));
        assertEquals(3, wrongKey.exit(), wrongKey.toString());
        assertTrue(wrongKey.err().contains("Permission denied") && wrongKey.err().contains("never asks for a password"), wrongKey.err());

        Cli.Result badName = tcplab("run", "--remote", "-oProxyCommand=x", HostMode.CONFIRM_FLAG, "--profile", profile.toString());
        assertEquals(2, badName.exit(), badName.toString());
        assertTrue(badName.err().contains("is not an ssh destination"), badName.err());

        // a killed run's settings pending on the server: refused before anything changes; restore --remote puts them back
        machines.leaveServerRestoreFile(SOMAXCONN, serverSomaxconn);
        Cli.Result pending = tcplab(runArgs(""));
        assertEquals(3, pending.exit(), pending.toString());
        assertTrue(pending.err().contains("left changed") && pending.err().contains("make restore REMOTE=" + machines.destination()),
                pending.err());
        Cli.Result restore = tcplab("restore", "--remote", machines.destination(), "--ssh-config", machines.sshConfig("").toString());
        assertEquals(0, restore.exit(), restore.toString());
        assertTrue(restore.out().contains("nothing to restore on this machine") && restore.out().contains("restored " + SOMAXCONN),
                restore.out());

        assertFalse(Files.exists(dir.resolve("refused")), "nothing created");
        bothAsBefore("after the refusals");
    }

    /** Opt-in: a Ctrl-C mid-run restores both sides and keeps what was measured. */
    @Test
    void sigintRestoresBothMachines() throws Exception {
        assumeTrue(LONG, "opt-in: make test-remote");
        Path out = dir.resolve("sigint.out");
        Process p = Cli.start(machines.clientEnv(), machines.inClient(), System.getProperty("java.class.path"), out, dir.resolve("sigint.err"),
                runArgs(""));
        awaitMeasuring(p, out, "[3/6]");
        assertEquals("1234", machines.serverSysctl(SOMAXCONN), "the server has the profile while the run measures");
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(); // as Ctrl-C: nsenter exec'd tcplab's JVM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), Files.readString(out));
        assertEquals(130, p.exitValue(), Files.readString(out));
        JsonNode m = Fixtures.json(Fixtures.runFolder(new Cli.Result(0, Files.readString(out), "")).resolve("metadata.json"));
        assertEquals("interrupted", m.path("status").asText());
        bothAsBefore("after SIGINT");
    }

    /** Opt-in: the client's ssh killed mid-run; the server restores itself, the run says interrupted and exits non-zero. */
    @Test
    void aKilledSshLeavesTheServerToRestoreItself() throws Exception {
        assumeTrue(LONG, "opt-in: make test-remote");
        linkLoss("killed ssh", () -> ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains("ssh -M -N -S /tmp/tcplab-ssh-"))
                .forEach(ProcessHandle::destroyForcibly));
    }

    /** Opt-in: the link dropped silently (nft); the server restores after its heartbeat stops, the client gives up within seconds. */
    @Test
    void aDroppedLinkLeavesTheServerToRestoreItself() throws Exception {
        assumeTrue(LONG, "opt-in: make test-remote");
        linkLoss("dropped link", machines::dropLink);
    }

    interface Fault {
        void cause() throws Exception;
    }

    private void linkLoss(String what, Fault fault) throws Exception {
        Path out = dir.resolve(what.replace(' ', '-') + ".out");
        Process p = Cli.start(machines.clientEnv(), machines.inClient(), System.getProperty("java.class.path"), out,
                dir.resolve(what.replace(' ', '-') + ".err"), runArgs(""));
        awaitMeasuring(p, out, "[3/6]");
        long cut = System.nanoTime();
        fault.cause();
        // the server restores by itself: EOF at once for a killed ssh, the heartbeat's silence for a dropped link
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (machines.serverRestorePending() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double restoredAfter = (System.nanoTime() - cut) / 1e9;
        assertFalse(machines.serverRestorePending(), what + ": the server restored itself");
        assertEquals(serverSomaxconn, machines.serverSysctl(SOMAXCONN), what + ": the server's setting is back");
        assertTrue(restoredAfter < tcplab.host.ServerSession.SILENCE.toSeconds() + 5, what + ": restored after " + restoredAfter + " s");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), Files.readString(out));
        assertEquals(TwoMachineRun.LINK_LOST, p.exitValue(), Files.readString(out) + Files.readString(dir.resolve(what.replace(' ', '-') + ".err")));
        Path run = Fixtures.runFolder(new Cli.Result(0, Files.readString(out), ""));
        JsonNode m = Fixtures.json(run.resolve("metadata.json"));
        assertEquals("interrupted", m.path("status").asText());
        assertTrue(m.path("remote").path("linkLost").asBoolean());
        assertEquals("ok", Fixtures.csv(run.resolve("configurations.csv")).get(0).get("status"), "what was measured before is kept");
        if (what.equals("dropped link")) {
            tcplab.lab.Processes.run(List.of("nsenter", "--net=/proc/" + machines.client().pid() + "/ns/net", "--", "nft", "delete", "table", "inet",
                    "tcplab-test-cut"), null, Duration.ofSeconds(5));
        }
        bothAsBefore("after a " + what);
    }

    private static void awaitMeasuring(Process p, Path out, String configuration) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.readString(out).contains(configuration)) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "the run reached " + configuration + ": " + Files.readString(out));
            Thread.sleep(50);
        }
    }
}
