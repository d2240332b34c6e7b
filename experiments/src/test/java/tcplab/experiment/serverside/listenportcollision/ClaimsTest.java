package tcplab.experiment.serverside.listenportcollision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.experiment.serverside.listenportcollision.BindRow.Outcome;
import tcplab.testing.Fixtures;

/**
 * C8's claims on the recorded quick run (range 40000–40999 with 40700 reserved: 499 usable ports of
 * the low end's parity, 500 of the other; 25 % and 75 % of them held, as the quick plan then did) and on binds built here.
 */
class ClaimsTest {
    private static final Map<String, String> SYSCTLS = Map.of("net.ipv4.ip_local_port_range", "40000 40999",
            "net.ipv4.ip_local_reserved_ports", "40700");
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;occupancy=50;net.ipv4.ip_local_port_range=40000 40999;"
            + "net.ipv4.ip_local_reserved_ports=40700");

    @Test
    void theRecordedRunFitsTheParityModel() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "listen-port-collision"));
        assertEquals(12, claims.size(), "two occupancies × four ports, both parities together, and the mechanism");
        claims.stream().filter(c -> !c.horizon().contains("parity-blind"))
                .forEach(c -> assertEquals(Claim.Verdict.AGREES, c.verdict(), c.toString()));

        Claim first25 = find(claims, "occupancy=25;", "port=FIRST_PARITY");
        assertEquals(0.501, first25.modelValue(), "250 connections over the 499 ports of the first parity");
        assertEquals(0.35, first25.measuredValue());
        assertEquals(0.1406, first25.low(), 1e-4);
        assertEquals(0.8614, first25.high(), 1e-4);
        assertTrue(first25.band().startsWith("±0.36: 3 binomial standard deviations over 20 trials"), first25.band());
        assertTrue(first25.explanation().startsWith("250 connections held; connect() fills the 499 usable ports"), first25.explanation());
        // 0.14 to 0.86 holds 0.25 too, what a parity-blind allocator gives with a quarter of the range in use
        assertEquals(Claim.Verdict.CONSISTENT, first25.verdict(), first25.toString());
        assertEquals("only 20 trials: too few to tell the parity rule's 0.5 from a parity-blind allocator's 0.25 (that takes 40)",
                first25.horizon());
        Claim other25 = find(claims, "occupancy=25;", "port=OTHER_PARITY");
        assertEquals(0.0, other25.modelValue(), "250 < 499: the other parity is untouched");
        assertEquals(Claim.Verdict.AGREES, other25.verdict(), "0 to 0.025 leaves out the parity-blind 0.25: " + other25);
        assertTrue(other25.band().startsWith("±0.025:") && other25.explanation().contains("Allowed: ±0.025 ("),
                "one figure in the band and the explanation: " + other25);
        assertEquals(Claim.Verdict.CONSISTENT, find(claims, "occupancy=75;", "port=OTHER_PARITY").verdict(), "0.14 to 0.86 holds 0.75");
        assertEquals(1.0, find(claims, "occupancy=75;", "port=FIRST_PARITY").measuredValue());
        Claim other75 = find(claims, "occupancy=75;", "port=OTHER_PARITY");
        assertEquals(0.5, other75.modelValue(), "(749 - 499) / 500");
        assertEquals(0.55, other75.measuredValue());

        Claim inside = find(claims, "occupancy=75;", "port=INSIDE");
        assertEquals(0.75, inside.modelValue());
        assertEquals(0.775, inside.measuredValue());
        assertTrue(inside.band().contains("2 × 20 trials"), inside.band());
        assertTrue(!inside.where().conditions().contains("reserved_ports") && inside.where().conditions().contains("ip_local_port_range"),
                inside.where().conditions());
        Claim mechanism = claims.stream().filter(c -> c.where().conditions().contains("occupancy=75;")
                && c.metric().id().equals("binds_unexplained")).findFirst().orElseThrow();
        assertEquals(0.0, mechanism.measuredValue());
        assertTrue(!mechanism.where().conditions().contains("net.ipv4"), mechanism.where().conditions());
    }

    @Test
    void aFailureNoHeldPortExplainsDiffers() {
        List<BindRow> rows = new ArrayList<>();
        for (int t = 1; t <= 20; t++) {
            rows.add(row(t, Case.FIRST_PARITY, true));
            rows.add(row(t, Case.OTHER_PARITY, false));
            rows.add(new BindRow(t, 499, Case.BELOW_RANGE, 39900, false, t == 7 ? Outcome.FAILED : Outcome.LISTENING,
                    t == 7 ? "Address already in use" : "")); // something else held it
            rows.add(row(t, Case.RESERVED, false));
        }
        List<Claim> claims = Claims.of(WHERE, SYSCTLS, rows);
        assertEquals(6, claims.size(), "four ports, both parities together, the mechanism");
        assertEquals(Claim.Verdict.AGREES, find(claims, "port=FIRST_PARITY").verdict(), "499 of 499: always taken");
        assertEquals(Claim.Verdict.AGREES, find(claims, "port=INSIDE").verdict());
        Claim below = find(claims, "port=BELOW_RANGE");
        assertEquals(Claim.Verdict.DIFFERS, below.verdict());
        assertEquals(0.05, below.measuredValue());
        Claim mechanism = claims.get(5);
        assertEquals("binds_unexplained", mechanism.metric().id());
        assertEquals(Claim.Verdict.DIFFERS, mechanism.verdict());
        assertEquals(1.0, mechanism.measuredValue());
        assertEquals("path=veth;occupancy=50", mechanism.where().conditions());
    }

    @Test
    void aParityTakenFarMoreOftenThanModelledDiffers() {
        // 100 connections of 499: the first parity's chance is 0.2; taken in 15 of 20 trials is far outside 3 standard deviations
        List<BindRow> rows = new ArrayList<>();
        for (int t = 1; t <= 20; t++) {
            boolean taken = t <= 15;
            rows.add(new BindRow(t, 100, Case.FIRST_PARITY, 40498, taken, taken ? Outcome.FAILED : Outcome.LISTENING, ""));
        }
        List<Claim> claims = Claims.of(WHERE, SYSCTLS, rows);
        Claim first = find(claims, "port=FIRST_PARITY");
        assertEquals(Claim.Verdict.DIFFERS, first.verdict());
        assertEquals(0.2, first.modelValue(), 1e-3);
        assertEquals(0.75, first.measuredValue());
        Claim reserved = find(claims, "port=RESERVED");
        assertEquals(Claim.Verdict.SKIPPED, reserved.verdict(), "no row for the case");
        assertTrue(reserved.explanation().contains("ip_local_reserved_ports"), reserved.explanation());
        assertTrue(claims.stream().noneMatch(c -> c.where().conditions().contains("port=INSIDE")), "no other parity: no average");
        assertEquals(Claim.Verdict.AGREES, claims.get(claims.size() - 1).verdict(), "every failure had its port held");
    }

    @Test
    void enoughTrialsTellTheParityRuleFromNoRule() {
        // 250 of the 999 usable ports held: the first parity's chance is 0.5, a parity-blind allocator's 0.25
        for (int trials : new int[] {20, 60}) {
            List<BindRow> rows = new ArrayList<>();
            for (int t = 1; t <= trials; t++) {
                boolean taken = t % 2 == 0;
                rows.add(new BindRow(t, 250, Case.FIRST_PARITY, 40498, taken, taken ? Outcome.FAILED : Outcome.LISTENING, ""));
            }
            Claim first = find(Claims.of(WHERE, SYSCTLS, rows), "port=FIRST_PARITY");
            assertEquals(0.5, first.measuredValue());
            if (trials == 20) {
                assertEquals(Claim.Verdict.CONSISTENT, first.verdict(), "±0.36 around 0.5 holds 0.25: " + first);
                assertTrue(first.horizon().startsWith("only 20 trials: too few to tell"), first.horizon());
            } else {
                assertEquals(Claim.Verdict.AGREES, first.verdict(), "±0.2 around 0.5 leaves 0.25 out: " + first);
                assertEquals("", first.horizon());
                assertTrue(first.band().startsWith("±0.2:"), first.band());
            }
        }
    }

    private static BindRow row(int trial, Case c, boolean taken) {
        return new BindRow(trial, 499, c, 40000, taken, taken ? Outcome.FAILED : Outcome.LISTENING, taken ? "Address already in use" : "");
    }

    private static Claim find(List<Claim> claims, String... parts) {
        return claims.stream().filter(c -> java.util.Arrays.stream(parts).allMatch(p -> c.where().conditions().contains(p)))
                .filter(c -> !c.metric().id().equals("binds_unexplained")).findFirst().orElseThrow();
    }
}
