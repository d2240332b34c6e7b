package tcplab.experiment.timeouts.deadpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.chart.Figures;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.Params;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.testing.Fixtures;

/**
 * C11's claims on the recorded quick run (keepalive sysctls 2 + 1 × 1 s, the tuned socket 1 + 1 × 1 s,
 * a 4 s window, each fault once) and on detections that break the model.
 */
class ClaimsTest {
    private static final Map<String, String> SCALED = Map.of("net.ipv4.tcp_keepalive_time", "2", "net.ipv4.tcp_keepalive_intvl", "1",
            "net.ipv4.tcp_keepalive_probes", "1");

    private static Claim find(List<Claim> claims, String fault, Mechanism m) {
        return claims.stream().filter(c -> c.conditions().contains("fault=" + fault + ";") && c.conditions().endsWith("mechanism=" + m))
                .findFirst().orElseThrow(() -> new AssertionError(fault + " " + m + " in " + claims));
    }

    @Test
    void theRecordedRunFitsTheModelUnderEveryFault() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "dead-peer"));
        assertEquals(16, claims.size(), "four faults × four mechanisms");
        claims.forEach(c -> assertTrue(c.verdict() == Claim.Verdict.AGREES || c.verdict() == Claim.Verdict.CONSISTENT, c.toString()));

        // the tuned socket: 1 + 1 × 1 s after the last activity, 0.3 s before the fault
        Claim tuned = find(claims, "DROP", Mechanism.KEEPALIVE_TUNED);
        assertEquals(Claim.Verdict.AGREES, tuned.verdict(), tuned.toString());
        assertEquals(1.7, tuned.modelValue());
        assertEquals(1.74, tuned.measuredValue());
        assertEquals(1.596, tuned.low(), 1e-9);
        assertEquals(2.208, tuned.high(), 1e-3, "model + 1/8 + 0.3 s");
        assertTrue(tuned.conditions().contains("keepIdle=1") && !tuned.conditions().contains("tcp_keepalive"), tuned.conditions());
        // with the link down a refused probe is sent again 0.5 s later: the band allows it
        assertEquals(2.208 + 0.5, find(claims, "LINK_DOWN", Mechanism.KEEPALIVE_TUNED).high(), 2e-3);

        // the sysctl keepalive at scaled values: consistent, and it names the defaults
        Claim scaled = find(claims, "DROP", Mechanism.KEEPALIVE_DEFAULT);
        assertEquals(Claim.Verdict.CONSISTENT, scaled.verdict(), scaled.toString());
        assertEquals(2.69, scaled.modelValue());
        assertTrue(scaled.scaled().contains("net.ipv4.tcp_keepalive_time=2 (default 7200)"), scaled.scaled());
        assertEquals("7200 + 9 × 75 = 7875 s", scaled.modelAtDefaults());
        assertTrue(scaled.horizon().contains("scaled sysctls"), scaled.horizon());

        // a stopped process: keepalive never notices, the heartbeat does within its interval + deadline
        Claim stoppedTuned = find(claims, "STOP", Mechanism.KEEPALIVE_TUNED);
        assertEquals("never", stoppedTuned.modelOutcome());
        assertEquals("not within 4 s", stoppedTuned.measuredOutcome());
        assertEquals(Claim.Verdict.AGREES, stoppedTuned.verdict(), "a 4 s window is past the tuned socket's 2 s: " + stoppedTuned);
        Claim stoppedDefault = find(claims, "STOP", Mechanism.KEEPALIVE_DEFAULT);
        assertEquals(Claim.Verdict.CONSISTENT, stoppedDefault.verdict(), stoppedDefault.toString());
        assertEquals("never", stoppedDefault.modelAtDefaults());
        Claim heartbeat = find(claims, "STOP", Mechanism.HEARTBEAT);
        assertEquals(Claim.Verdict.AGREES, heartbeat.verdict(), heartbeat.toString());
        assertEquals(1.0, heartbeat.modelValue());
        assertEquals(1.2, heartbeat.measuredValue());
        assertTrue(heartbeat.conditions().contains("heartbeat=500;deadline=1000") && !heartbeat.conditions().contains("keep"),
                heartbeat.conditions());

        // no mechanism: "never" rests on the window alone
        Claim none = find(claims, "DROP", Mechanism.NONE);
        assertEquals(Claim.Verdict.CONSISTENT, none.verdict(), none.toString());
        assertTrue(none.horizon().contains("'never' rests on a 4 s window"), none.horizon());
        assertFalse(none.conditions().contains("heartbeat") || none.conditions().contains("keep"), none.conditions());

        // a kill is seen at once, whatever keepalive says: no scaling named
        for (Mechanism m : List.of(Mechanism.NONE, Mechanism.KEEPALIVE_DEFAULT, Mechanism.KEEPALIVE_TUNED)) {
            Claim killed = find(claims, "KILL", m);
            assertEquals(Claim.Verdict.AGREES, killed.verdict(), killed.toString());
            assertEquals(0.0, killed.modelValue());
            assertEquals("", killed.scaled());
        }
        assertEquals(0.5, find(claims, "KILL", Mechanism.HEARTBEAT).modelValue(), "the next PING finds it closed");
    }

    private static Params params(String fault, int window) {
        return new DeadPeerExperiment().params(Map.of("fault", fault, "keepCount", "1", "window", Integer.toString(window)));
    }

    private static DetectionRow row(Mechanism m, Long afterFaultMs) {
        long fault = 1_000_300;
        return new DetectionRow(m, 1_000_000, fault, afterFaultMs == null ? null : fault + afterFaultMs, afterFaultMs == null ? "not detected" : "x");
    }

    @Test
    void keepaliveThatSeesAStoppedPeerOrAHeartbeatTooLateDiffers() {
        Claim.Where where = new Claim.Where("1-test", "path=veth;fault=STOP;keepIdle=1;keepInterval=1;keepCount=1;heartbeat=500;deadline=1000;window=4");
        List<Claim> claims = Claims.of(where, params("STOP", 4), SCALED, List.of(row(Mechanism.NONE, null),
                row(Mechanism.KEEPALIVE_DEFAULT, null), row(Mechanism.KEEPALIVE_TUNED, 1700L), row(Mechanism.HEARTBEAT, 3000L)));
        assertEquals(Claim.Verdict.CONSISTENT, find(claims, "STOP", Mechanism.NONE).verdict());
        Claim tuned = find(claims, "STOP", Mechanism.KEEPALIVE_TUNED);
        assertEquals(Claim.Verdict.DIFFERS, tuned.verdict(), "the stopped peer's kernel answers the probes: " + tuned);
        assertEquals("1.70 s", tuned.measuredOutcome());
        Claim heartbeat = find(claims, "STOP", Mechanism.HEARTBEAT);
        assertEquals(Claim.Verdict.DIFFERS, heartbeat.verdict(), "3 s is past the interval + deadline + 0.2 s: " + heartbeat);
        assertEquals(1.7, heartbeat.high(), 1e-9);
    }

    @Test
    void aKeepaliveThatNeverFiresOnADroppingHostDiffersAndAModelPastTheWindowIsSkipped() {
        Claim.Where where = new Claim.Where("1-test", "path=veth;fault=DROP;window=4");
        Claim missed = Claims.of(where, params("DROP", 4), SCALED, List.of(row(Mechanism.KEEPALIVE_TUNED, null))).get(0);
        assertEquals(Claim.Verdict.DIFFERS, missed.verdict(), missed.toString());
        assertEquals("not within 4 s", missed.measuredOutcome());

        // the kernel's own defaults: 7875 s, far past a 4 s window
        Claim skipped = Claims.of(where, params("DROP", 4), Map.of(), List.of(row(Mechanism.KEEPALIVE_DEFAULT, null))).get(0);
        assertEquals(Claim.Verdict.SKIPPED, skipped.verdict(), skipped.toString());
        assertTrue(skipped.explanation().contains("past the 4 s window"), skipped.explanation());

        // the exact plan's 8100 s window holds the model (7874.6 s) but not its band's top, which the skip names
        Claim exact = Claims.of(where, params("DROP", 8100), Map.of(), List.of(row(Mechanism.KEEPALIVE_DEFAULT, null))).get(0);
        assertEquals(Claim.Verdict.SKIPPED, exact.verdict(), exact.toString());
        assertTrue(exact.explanation().matches("The model says 787\\d\\.\\d s, and its band \\(model − 0\\.1 s to model \\+ 1/8 of it.*\\) reaches"
                + " 88\\d\\d\\.\\d s, past the 8100 s window: widen it to at least 88\\d\\d s, or scale the keepalive sysctls down\\."),
                exact.explanation());
        assertEquals("", skipped.scaled(), "a skipped row carries no scaling");
    }

    @Test
    void theReportNamesTheSysctlKeepaliveWithTheValuesItRanWith(@TempDir Path charts) throws Exception {
        DeadPeerExperiment experiment = new DeadPeerExperiment();
        RunData run = RunData.load(new RunFolder(Path.of("src/test/resources/fixtures/quick-baseline")));
        ExperimentData data = new ExperimentData(run, experiment, Figures.forRun(run, charts)); // the chart away from the fixture
        Section section = Report.section(experiment, data, List.of());
        // before: "| DROP | KEEPALIVE_DEFAULT | 2.7 s | 2.72 s |", which reads as the kernel's defaults noticing in 2.7 s
        assertTrue(section.markdown().contains("| DROP | keepalive from the sysctls (2 + 1 × 1 s; 7875 s at the defaults) | 2.7 s |"),
                section.markdown());
        assertTrue(section.markdown().contains("| DROP | keepalive set on the socket (1 + 1 × 1 s) |"), section.markdown());
        assertFalse(section.markdown().contains("KEEPALIVE_DEFAULT"), section.markdown());
        // the chart's axis and caption too
        assertEquals("keepalive (sysctls)", Report.category(Mechanism.KEEPALIVE_DEFAULT));
        assertTrue(section.markdown().contains("Keepalive (sysctls) ran with the scaled values its row gives"), section.markdown());
        assertEquals("keepalive from the sysctls (the defaults: 7200 + 9 × 75 s = 7875 s)",
                Claims.label(Mechanism.KEEPALIVE_DEFAULT, params("DROP", 4), Map.of()));
    }
}
