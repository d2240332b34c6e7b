package tcplab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import tcplab.experiment.Claim;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.report.KernelMatrix;
import tcplab.report.ReportWriter;
import tcplab.results.Metadata;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.testing.Cli;

/**
 * Guest kernels against the real thing: Debian's own 6.1 package, fetched by apt, booted in QEMU
 * over this machine's filesystem, running a real plan in its own namespaces. The short test is in
 * {@code make test}; the longer one ({@code make test-matrix}) runs host and 6.1 side by side and
 * checks that each agrees with its own model and that they differ where the models say they must.
 * Where KVM cannot boot a stock kernel (missing, or PVM as on these machines) the guests run under
 * TCG, with --emulate, and the test says so: timer-bound claims hold there, since the guest's clock
 * is this machine's.
 */
class KernelMatrixTest {
    @TempDir
    Path dir;

    /**
     * connect-timeout at tcp_syn_retries 1: 3 s on a kernel without linear timeouts (1 + 2 s, two SYNs); and one that sets
     * tcp_syn_linear_timeouts, which 6.1 lacks: skipped there before any lab is made, with the reason.
     */
    static final String ONE_CONFIGURATION = "{\"description\": \"one guest configuration\", \"experiments\": ["
            + "{\"experiment\": \"connect-timeout\", \"sysctls\": {\"net.ipv4.tcp_syn_retries\": [\"1\"]}},"
            + "{\"experiment\": \"connect-timeout\", \"sysctls\": {\"net.ipv4.tcp_syn_linear_timeouts\": [\"4\"]}}]}";

    /**
     * How much later than the claim's band a timer-bound measurement may come in an emulated guest: its vCPUs are threads
     * of this 2-core machine, so a guest timer's interrupt, and the JVM that reads the clock after it, run when QEMU gets
     * scheduled. Seen: 3.28 s against a band ending at 3.26 s. Never earlier than the band; counts (SYNs) get none.
     */
    static final double EMULATION_LATENESS_S = 0.5;

    /** Not differs; or, emulated, a time in seconds that came at most {@link #EMULATION_LATENESS_S} past the band's top. */
    static boolean holds(Claim c, boolean emulated) {
        if (c.verdict() != Claim.Verdict.DIFFERS) {
            return true;
        }
        return emulated && c.metric().unit().equals("s") && c.measuredValue() >= c.low() && c.measuredValue() <= c.high() + EMULATION_LATENESS_S;
    }

    static void assumeGuestsPossible() {
        assumeTrue(LabLauncher.isRoot(), "guest kernels need root here");
        assertTrue(LabLauncher.findOnPath("qemu-system-x86_64") != null, "qemu-system-x86_64 is missing (make test-prereqs installs it)");
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox is missing (make test-prereqs installs busybox-static)");
    }

    /** --emulate where KVM cannot boot a Debian kernel here, said on the test's output. */
    static List<String> accelerator() {
        try {
            Guest.accelerator(Path.of("/dev/kvm"), false);
            return List.of();
        } catch (LabException e) {
            System.out.println("KernelMatrixTest: guests under TCG, since " + e.getMessage());
            return List.of("--emulate");
        }
    }

    private Cli.Result matrix(Duration bound, String kernels, String planJson) throws IOException, InterruptedException {
        Path plan = Cli.write(dir, "plan.json", planJson);
        List<String> args = new ArrayList<>(List.of("run-matrix", "--kernels", kernels, "--plan", plan.toString(), "--reports",
                dir.resolve("reports").toString()));
        args.addAll(accelerator());
        Cli.Result r = Cli.run(bound, Map.of(), List.of(), System.getProperty("java.class.path"), args.toArray(String[]::new));
        assertNoGuestLeft();
        return r;
    }

    private void assertNoGuestLeft() {
        List<String> left = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("qemu-system") && c.contains(dir.toString())).toList();
        assertEquals(List.of(), left, "no QEMU of this test is left");
    }

    private Path matrixDir() {
        return dir.resolve("reports/matrix/latest");
    }

    private static List<Claim> claims(Path run) throws IOException {
        return ReportWriter.claims(RunData.load(new RunFolder(run)));
    }

    /** Opt-in with the others (make test-matrix, which .ci/run runs): a minute of booting that make test's 10 minutes cannot spare. */
    @Test
    @EnabledIfSystemProperty(named = "tcplab.matrixLong", matches = "true")
    void aDebian61GuestBootsAndRunsOneConfigurationUnderItsOwnModel() throws Exception {
        assumeGuestsPossible();
        Cli.Result r = matrix(Duration.ofMinutes(8), "6.1", ONE_CONFIGURATION);
        assertEquals(0, r.exit(), r.toString());
        JsonNode kernel = Metadata.read(matrixDir().resolve(KernelMatrix.METADATA)).path("kernels").get(0);
        assertTrue(kernel.path("release").asText().startsWith("6.1."), "Debian's 6.1 booted: " + kernel);
        assertTrue(kernel.path("bootSeconds").asDouble() > 0 && kernel.path("bootSeconds").asDouble() <= 30,
                "booted to the plan in 30 s or less: " + kernel.path("bootSeconds"));
        Path run = matrixDir().resolve(kernel.path("run").asText());
        JsonNode meta = Metadata.read(run.resolve(RunFolder.METADATA));
        assertEquals(kernel.path("release").asText(), meta.path("machine").path("kernelRelease").asText(), "the run was measured in the guest");
        assertTrue(Files.isRegularFile(run.resolve("report.html")), "its report was drawn");

        RunData data = RunData.load(new RunFolder(run));
        assertFalse(data.results().get(0).sysctls().containsKey("net.ipv4.tcp_syn_linear_timeouts"), "6.1 has no linear SYN timeouts");
        RunData.Result skipped = data.results().get(1);
        assertEquals("skipped", skipped.status(), "a configuration that sets a key 6.1 lacks is skipped, not an error: " + skipped.row());
        assertTrue(skipped.row().get("message").contains("has no net.ipv4.tcp_syn_linear_timeouts"), skipped.row().toString());
        assertEquals("complete", meta.path("status").asText(), "a skipped configuration does not fail the run");
        Claim failsAfter = claims(run).stream().filter(c -> c.metric().id().equals("connect_fails_after_s")).findFirst().orElseThrow();
        // 6.1's own model: 1 s then 2 s, no linear timeouts; the tolerance is the claim's own (the SYN timers' granules + 0.2 s)
        assertEquals(3.0, failsAfter.modelValue(), 1e-9, failsAfter.toString());
        assertTrue(holds(failsAfter, accelerator().contains("--emulate")), failsAfter.verdict() + " " + failsAfter.measured() + ": "
                + failsAfter.explanation());
        assertTrue(Files.readString(matrixDir().resolve(KernelMatrix.MD)).contains("software emulation") == accelerator().contains("--emulate"),
                "the matrix says whether the guest was emulated");
    }

    /** SYN retries 2 and 3 at each kernel's own default linear timeouts, and the TIME_WAIT reuse grid. */
    static final String TINY_PLAN = "{\"description\": \"kernels differ\", \"experiments\": ["
            + "{\"experiment\": \"connect-timeout\", \"sysctls\": {\"net.ipv4.tcp_syn_retries\": [\"2\", \"3\"]}},"
            + "{\"experiment\": \"port-exhaustion\", \"paths\": [\"veth\"], \"params\": {\"closeMode\": [\"CLIENT_FIN\"], \"seconds\": [\"4\"]},"
            + " \"sysctls\": {\"net.ipv4.ip_local_port_range\": [\"40000 40999\"], \"net.ipv4.tcp_tw_reuse\": [\"0\", \"1\"]}}]}";

    @Test
    @EnabledIfSystemProperty(named = "tcplab.matrixLong", matches = "true")
    void hostAnd61AgreeWithTheirOwnModelsAndDifferWhereTheModelsSay() throws Exception {
        assumeGuestsPossible();
        Cli.Result r = matrix(Duration.ofMinutes(20), "host 6.1", TINY_PLAN);
        assertEquals(0, r.exit(), r.toString());
        JsonNode kernels = Metadata.read(matrixDir().resolve(KernelMatrix.METADATA)).path("kernels");
        List<List<Claim>> byKernel = new ArrayList<>();
        for (JsonNode k : kernels) {
            List<Claim> claims = claims(matrixDir().resolve(k.path("run").asText()));
            boolean emulated = "tcg".equals(k.path("accelerator").asText());
            for (Claim c : claims) {
                // under emulation the client connects several times slower than natively, so C4's sustained reuse rate is the
                // emulator's; C3's ceiling is tested where the 1,000 ports fill in 4 s (in CI on a 2 GHz Xeon they did not: 585,
                // and the claim is then only consistent, modelled by the scan rate), and the timer-bound claims hold everywhere
                if (!(emulated && c.claim().equals("C4"))) {
                    assertTrue(holds(c, emulated), k.path("kernel").asText() + ": " + c + "\n" + c.explanation());
                }
            }
            byKernel.add(claims);
        }
        // tcp_syn_retries 3: 6.1 doubles from the first timeout (1+2+4+8 = 15 s); a kernel with linear timeouts 4 does not
        boolean hostLinear = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_syn_linear_timeouts")).trim().equals("4");
        Claim host3 = syn(byKernel.get(0), "net.ipv4.tcp_syn_retries=3");
        Claim guest3 = syn(byKernel.get(1), "net.ipv4.tcp_syn_retries=3");
        assertEquals(15.0, guest3.modelValue(), 1e-9, "6.1's model");
        if (hostLinear) {
            assertNotEquals(guest3.modelValue(), host3.modelValue(), "the models differ where the kernels do");
            String md = Files.readString(matrixDir().resolve(KernelMatrix.MD));
            String firstRow = md.lines().filter(l -> l.startsWith("| C")).findFirst().orElseThrow();
            String note = md.lines().filter(l -> l.startsWith("1. ")).findFirst().orElse("");
            assertTrue(firstRow.startsWith("| C10") && firstRow.contains("models differ (1)")
                    && note.contains("has no net.ipv4.tcp_syn_linear_timeouts"),
                    "the rows where the kernels differ come first, with the model's reason: " + firstRow + "\n" + note);
        }
    }

    /** Six SYN retries: the guest is still in its plan minutes later, when the test stops tcplab. */
    static final String LONG_CONFIGURATION = "{\"description\": \"a guest that runs for minutes\", \"experiments\": ["
            + "{\"experiment\": \"connect-timeout\", \"sysctls\": {\"net.ipv4.tcp_syn_retries\": [\"6\"]}}]}";

    @Test
    @EnabledIfSystemProperty(named = "tcplab.matrixLong", matches = "true")
    void aSigkilledTcplabTakesItsGuestAndSigintOrSigtermEndTheMatrixAsInterrupted() throws Exception {
        assumeGuestsPossible();
        for (String signal : List.of("KILL", "INT", "TERM")) {
            Path plan = Cli.write(dir, "long.json", LONG_CONFIGURATION);
            Path reports = dir.resolve("reports-" + signal);
            Path out = dir.resolve("out-" + signal + ".txt");
            Path err = dir.resolve("err-" + signal + ".txt");
            List<String> args = new ArrayList<>(List.of("run-matrix", "--kernels", "6.1", "--plan", plan.toString(), "--reports", reports.toString()));
            args.addAll(accelerator());
            Process tcplab = Cli.start(Map.of(), List.of(), System.getProperty("java.class.path"), out, err, args.toArray(String[]::new));
            // under TCG on a 2 GHz Xeon the guest's JVMs took more than 3 min from boot to the first SYN (CI, 2026-12-03)
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            while (!Files.readString(out).contains("drops every SYN") && System.nanoTime() < deadline && tcplab.isAlive()) {
                Thread.sleep(200);
            }
            assertTrue(Files.readString(out).contains("drops every SYN"), "the guest is measuring: " + Files.readString(out) + Files.readString(err));
            assertTrue(guests(reports).size() == 1, "one QEMU runs");
            new ProcessBuilder("kill", "-" + signal, Long.toString(tcplab.pid())).start().waitFor();
            assertTrue(tcplab.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "tcplab ended after SIG" + signal);
            long gone = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!guests(reports).isEmpty() && System.nanoTime() < gone) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), guests(reports), "no QEMU is left after SIG" + signal);
            if (!signal.equals("KILL")) {
                assertEquals(130, tcplab.exitValue(), Files.readString(err));
                JsonNode meta = Metadata.read(reports.resolve("matrix/latest").resolve(KernelMatrix.METADATA));
                assertEquals("interrupted", meta.path("status").asText(), meta.toString());
            }
        }
    }

    private static List<Long> guests(Path under) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("qemu-system")
                && p.info().commandLine().orElse("").contains(under.toString())).map(ProcessHandle::pid).toList();
    }

    private static Claim syn(List<Claim> claims, String condition) {
        return claims.stream().filter(c -> c.metric().id().equals("connect_fails_after_s") && c.conditions().contains(condition))
                .findFirst().orElseThrow(() -> new AssertionError("no connect-timeout claim at " + condition));
    }
}
