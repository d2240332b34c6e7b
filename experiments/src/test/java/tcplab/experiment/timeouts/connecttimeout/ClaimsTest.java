package tcplab.experiment.timeouts.connecttimeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.timeouts.connecttimeout.AttemptRow.Outcome;
import tcplab.testing.Fixtures;

/** C10's claims on the recorded quick run (1 or 4 linear timeouts with tcp_syn_retries = 1; a 1.2 s application timeout) and on rows built here. */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;connectTimeout=0;attempts=1");
    /** tcp_syn_retries = 1 with no linear timeouts: SYNs at 0 and 1 s, connect() fails at 3 s. */
    private static final Model ONE_RETRY = Model.of(Map.of("net.ipv4.tcp_syn_retries", "1", "net.ipv4.tcp_syn_linear_timeouts", "0"), 0);
    private static final String SCALED = "net.ipv4.tcp_syn_retries=1 (default 6)";

    private static Claim claim(List<Claim> claims, String configuration, String metric) {
        return claims.stream().filter(c -> c.where().configuration().startsWith(configuration) && c.metric().id().equals(metric))
                .findFirst().orElseThrow(() -> new AssertionError(configuration + " " + metric + " not in " + claims));
    }

    @Test
    void theRecordedRunFollowsTheSynScheduleAndTheApplicationTimeout() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "connect-timeout"));
        assertEquals(6, claims.size(), "three configurations × (time to failure, SYNs per connect)");

        Claim noLinear = claim(claims, "44-", "connect_fails_after_s");
        assertEquals(Claim.Verdict.CONSISTENT, noLinear.verdict(), "inside the band, but with scaled sysctls: " + noLinear);
        assertEquals(3.0, noLinear.modelValue());
        assertEquals(3.04, noLinear.measuredValue());
        assertEquals(2.95, noLinear.low(), 1e-9);
        assertEquals(3.264, noLinear.high(), 1e-9, "3 s + two SYN timers' granules at HZ 250 (0.064 s) + 0.2 s");
        assertTrue(noLinear.band().contains("0.064 s at CONFIG_HZ = 250"), noLinear.band());
        assertEquals("net.ipv4.tcp_syn_retries=1 (default 6); net.ipv4.tcp_syn_linear_timeouts=0 (default 4)", noLinear.scaled());
        assertEquals("131 s", noLinear.modelAtDefaults(), "6 retries with 4 linear timeouts");
        assertTrue(noLinear.explanation().startsWith("The model: SYNs at 0, 1 s (the first and 1 retransmission); the connect fails when"
                + " the next timer fires, at 3 s, as the limit of tcp_syn_retries + tcp_syn_linear_timeouts, 1 retransmission, is reached."
                + " Measured: 3.04 s."), noLinear.explanation());
        // the 5 retransmissions the two sysctls allow are the model's limit, not what was sent: the time limit comes first
        Claim linear = claim(claims, "45-", "connect_fails_after_s");
        assertTrue(linear.explanation().startsWith("The model: SYNs at 0, 1, 2 s (the first and 2 retransmissions); the connect fails"
                + " when the next timer fires, at 3 s, as the time limit, 2^(tcp_syn_retries + 1) - 1 = 3 s since the first SYN, comes"
                + " before the 5 retransmissions tcp_syn_retries + tcp_syn_linear_timeouts allow. Measured: 3.06 s."), linear.explanation());

        Claim linearSyns = claim(claims, "45-", "syns_per_connect");
        assertEquals(Claim.Verdict.AGREES, linearSyns.verdict());
        assertEquals(3.0, linearSyns.measuredValue());
        assertTrue(linearSyns.explanation().contains("not the 5 that tcp_syn_retries (1) + tcp_syn_linear_timeouts (4) allow")
                && linearSyns.explanation().contains("2^(1 + 1) - 1 = 3 s"), "the time limit ends it first: " + linearSyns.explanation());
        assertEquals(SCALED, claim(claims, "45-", "connect_fails_after_s").scaled(), "4 linear timeouts is the default");

        Claim app = claim(claims, "46-", "connect_fails_after_s");
        assertEquals(Claim.Verdict.AGREES, app.verdict(), "the application's timeout, at no scaled sysctl: " + app);
        assertEquals(1.2, app.modelValue());
        assertEquals(1.21, app.measuredValue());
        assertEquals(1.3, app.high(), 1e-9, "the application's timer + 100 ms");
        assertEquals("", app.scaled(), "the application's timeout does not scale with the kernel's");
        assertEquals(2.0, claim(claims, "46-", "syns_per_connect").modelValue(), "SYNs at 0 and 1 s fit into 1.2 s");
    }

    @Test
    void aRunWithoutThisExperimentHasNoClaims() throws Exception {
        assertTrue(Claims.of(Fixtures.experiment("port-exhaustion-default-range", "connect-timeout")).isEmpty());
    }

    @Test
    void aConnectFailingOnTimeIsConsistentAndOneFailingLateDiffers() {
        List<Claim> onTime = Claims.of(WHERE, ONE_RETRY, SCALED, 250, "CONFIG_HZ = 250",
                List.of(new AttemptRow(1, 10_000, 13_050, Outcome.KERNEL_TIMEOUT, "Connection timed out")), List.of(new TotalsRow(2, 1)));
        assertEquals(Claim.Verdict.CONSISTENT, onTime.get(0).verdict(), onTime.get(0).toString());
        assertEquals(Claim.Verdict.AGREES, onTime.get(1).verdict(), onTime.get(1).toString());

        List<Claim> late = Claims.of(WHERE, ONE_RETRY, SCALED, 250, "CONFIG_HZ = 250",
                List.of(new AttemptRow(1, 10_000, 17_000, Outcome.KERNEL_TIMEOUT, "Connection timed out")), List.of(new TotalsRow(3, 2)));
        assertEquals(Claim.Verdict.DIFFERS, late.get(0).verdict(), "7 s, not 3 s: " + late.get(0));
        assertEquals(Claim.Verdict.DIFFERS, late.get(1).verdict(), "3 SYNs, not 2: " + late.get(1));
    }

    @Test
    void aConnectThatEndsTheWrongWayDiffersAndSaysHow() {
        List<Claim> claims = Claims.of(WHERE, ONE_RETRY, SCALED, 250, "CONFIG_HZ = 250",
                List.of(new AttemptRow(1, 10_000, 13_010, Outcome.ERROR, "No route to host")), List.of());
        assertEquals(1, claims.size(), "no dropped-SYN count, no SYN claim");
        assertEquals(Claim.Verdict.DIFFERS, claims.get(0).verdict(), "on time, but not a kernel timeout: " + claims.get(0));
        assertEquals("connect() did not end the expected way (kernel-timeout): [error (No route to host)]", claims.get(0).explanation());
    }
}
