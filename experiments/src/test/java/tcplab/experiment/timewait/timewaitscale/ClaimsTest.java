package tcplab.experiment.timewait.timewaitscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.Claim.Verdict;
import tcplab.testing.Fixtures;

/** C5's claims on the recorded quick run (3000 connections over 3 ports, with and without a cap of 100) and on counts that break the model. */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;connections=300;ports=1");
    /** A run that could not read /sys/kernel/slab. */
    private static final MemoryRow NOT_ROOT = new MemoryRow(0, 0, null, null, null, null, null, 1000L, 2000L, 2500L);

    private static Claim find(List<Claim> claims, String conditionsPart, Claim.Metric metric) {
        List<Claim> found = claims.stream().filter(c -> c.conditions().contains(conditionsPart) && c.metric().equals(metric)).toList();
        assertEquals(1, found.size(), conditionsPart + " " + metric.id() + " in " + claims);
        return found.get(0);
    }

    @Test
    void theRecordedRunHoldsMoreTimeWaitThanPortsUpToTheCap() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "time-wait-scale"));
        assertEquals(5, claims.size(), claims.toString());
        Claim wide = find(claims, "tcp_max_tw_buckets=131072", Claims.AT_ONCE);
        assertEquals(Verdict.AGREES, wide.verdict(), wide.toString());
        assertEquals(3000.0, wide.modelValue(), "all 3000 fit in 2000 ports × 3 server ports");
        assertEquals(2933.0, wide.measuredValue(), "more than the 2000 local ports");
        assertEquals((3000 - 67) * 0.98, wide.low(), 1e-9, "67 resets may each have ended one early");
        assertEquals(3060.0, wide.high(), 1e-9);
        assertTrue(wide.band().contains("(67)") && wide.explanation().contains("held 2933 at the end"), wide.toString());
        assertTrue(wide.explanation().contains("room for 6000 TIME_WAIT sockets, more than the 2000 local ports and enough for all 3000"
                + " connections made"), wide.explanation());
        Claim weighed = find(claims, "tcp_max_tw_buckets=131072", Claims.TW_MEMORY);
        assertEquals(Verdict.AGREES, weighed.verdict(), weighed.toString());
        assertEquals(256.0, weighed.modelValue(), "one 256-byte slab slot each");
        assertEquals(249.0, weighed.measuredValue(), "2848 objects × 256 B ÷ 2933 sockets");
        assertTrue(weighed.explanation().contains("the cache grew by 2848 objects while the client came to hold 2933 TIME_WAIT sockets")
                && weighed.explanation().endsWith("2848 objects × 256 B ÷ 2933 sockets = 249 B a socket, 712 KiB for all 2933."), weighed.explanation());

        // the range was scaled down, but the 4-tuple rule, the cap and the slot size hold at any range: named, verdicts kept
        for (Claim c : claims) {
            if (c.verdict() == Verdict.SKIPPED) {
                assertEquals("", c.scaled(), "a row not measured names nothing: " + c);
            } else {
                assertEquals("net.ipv4.ip_local_port_range=40000 41999 (default 32768 60999)", c.scaled(), c.toString());
                assertEquals("", c.horizon(), c.toString());
            }
        }
        assertEquals("3000 sockets (room for 84696)", wide.modelAtDefaults());
        assertEquals("256 bytes", weighed.modelAtDefaults());

        Claim capped = find(claims, "tcp_max_tw_buckets=100", Claims.AT_ONCE);
        assertEquals(Verdict.AGREES, capped.verdict(), capped.toString());
        assertEquals(100.0, capped.modelValue());
        assertEquals(100.0, capped.measuredValue());
        Claim overflow = find(claims, "tcp_max_tw_buckets=100", Claims.OVERFLOW);
        assertEquals(Verdict.AGREES, overflow.verdict(), overflow.toString());
        assertEquals(2900.0, overflow.modelValue(), "every connection past the cap");
        assertEquals(2900.0, overflow.measuredValue());
        Claim tooFew = find(claims, "tcp_max_tw_buckets=100", Claims.TW_MEMORY);
        assertEquals(Verdict.SKIPPED, tooFew.verdict(), "100 sockets are too few to weigh: " + tooFew);
        assertTrue(tooFew.explanation().startsWith("100 TIME_WAIT sockets cannot be weighed") && tooFew.explanation().contains("grew by 64"),
                tooFew.toString());
        assertTrue(claims.stream().noneMatch(c -> c.conditions().contains("tcp_max_tw_buckets=131072") && c.metric().equals(Claims.OVERFLOW)),
                "no overflow claim below the cap");
    }

    @Test
    void aKernelThatIgnoresTheCapDiffersTwice() {
        Tally t = new Tally(300, 500, 1, 50, 300, 0, 0, "", NOT_ROOT, 2); // 300 held with tcp_max_tw_buckets = 50, no overflow counted
        List<Claim> claims = Claims.of(WHERE, t);
        assertEquals(3, claims.size(), claims.toString());
        Claim atOnce = find(claims, "", Claims.AT_ONCE);
        assertEquals(Verdict.DIFFERS, atOnce.verdict(), atOnce.toString());
        assertEquals(50.0, atOnce.modelValue());
        Claim overflow = find(claims, "", Claims.OVERFLOW);
        assertEquals(Verdict.DIFFERS, overflow.verdict(), overflow.toString());
        assertEquals(250.0, overflow.modelValue());
        Claim memory = find(claims, "", Claims.TW_MEMORY);
        assertEquals(Verdict.SKIPPED, memory.verdict());
        assertTrue(memory.explanation().contains("root only"), memory.toString());
    }

    @Test
    void timeWaitKeyedByTheLocalPortAloneDiffers() {
        // 800 connections over 2 server ports and 500 local ports: the 4-tuple leaves room for 1000
        Tally t = new Tally(800, 500, 2, 131072, 500, 0, 0, "", NOT_ROOT, 2);
        Claim atOnce = find(Claims.of(WHERE, t), "", Claims.AT_ONCE);
        assertEquals(800.0, atOnce.modelValue());
        assertEquals(Verdict.DIFFERS, atOnce.verdict(), atOnce.toString());
        assertTrue(atOnce.explanation().contains("room for 1000 TIME_WAIT sockets, more than the 500 local ports and enough for all 800"
                + " connections made"), atOnce.toString());
        Claim onePort = find(Claims.of(WHERE, new Tally(800, 500, 1, 131072, 500, 0, 0, "", NOT_ROOT, 2)), "", Claims.AT_ONCE);
        assertEquals(Verdict.AGREES, onePort.verdict(), onePort.toString());
        assertTrue(onePort.explanation().contains("room for 500 TIME_WAIT sockets, no more than the 500 local ports and too few for the 800"
                + " connections made"), onePort.toString());
    }

    @Test
    void theMemoryFigureIsTheCachesGrowthPerSocketHeldInTheClaimAndItsTotal() {
        // a fresh quick run: 2880 objects grown for 2976 sockets held; 248 B comes from that growth, not from object_size
        MemoryRow fresh = new MemoryRow(0, 2976, 80L, 2960L, 256L, 248L, 80L, 1000L, 2000L, 2600L);
        Claim weighed = find(Claims.of(WHERE, new Tally(3000, 2000, 3, 131072, 2976, 0, 24, "", fresh, 2)), "", Claims.TW_MEMORY);
        assertEquals(256.0, weighed.modelValue(), "the slot, slab_size");
        assertEquals(248.0, weighed.measuredValue(), "2880 × 256 / 2976 = 247.7");
        assertTrue(weighed.explanation().endsWith("2880 objects × 256 B ÷ 2976 sockets = 248 B a socket, 720 KiB for all 2976."),
                weighed.explanation());
        assertFalse(weighed.explanation().contains("744 KiB"), "the total is what was measured, not 2976 slots: " + weighed);
        assertEquals("tw_sock_TCP slab bytes grown per TIME_WAIT socket held", weighed.metric().label());
    }

    @Test
    void theMachinesDriftIsTakenOutOfTheSlabCountAndTooMuchOfItSkips() {
        // 100 objects per second before (1000 → 2000 ms), extrapolated over the 500 ms measured: 50 objects not ours
        MemoryRow drifting = new MemoryRow(0, 1000, 200L, 1250L, 256L, 248L, 100L, 1000L, 2000L, 2500L);
        assertEquals(50.0, drifting.drift(), 1e-9);
        Claim weighed = find(Claims.of(WHERE, new Tally(1000, 2000, 1, 131072, 1000, 0, 0, "", drifting, 2)), "", Claims.TW_MEMORY);
        assertEquals(Verdict.AGREES, weighed.verdict(), weighed.toString());
        assertEquals(256.0, weighed.measuredValue(), "(1050 grown − 50 drift) × 256 B / 1000 sockets");
        assertTrue(weighed.explanation().contains("changed it by +50 objects"), weighed.toString());

        MemoryRow fast = new MemoryRow(0, 1000, 300L, 1350L, 256L, 248L, 100L, 1000L, 2000L, 2500L); // 100 objects of drift: 10 %
        Claim skipped = find(Claims.of(WHERE, new Tally(1000, 2000, 1, 131072, 1000, 0, 0, "", fast, 2)), "", Claims.TW_MEMORY);
        assertEquals(Verdict.SKIPPED, skipped.verdict(), "more drift than 5 % of the sockets: " + skipped);

        MemoryRow heavy = new MemoryRow(0, 1000, 200L, 1550L, 256L, 248L, 200L, 1000L, 2000L, 2500L); // no drift, 1350 objects
        Claim differs = find(Claims.of(WHERE, new Tally(1000, 2000, 1, 131072, 1000, 0, 0, "", heavy, 2)), "", Claims.TW_MEMORY);
        assertEquals(Verdict.DIFFERS, differs.verdict(), "346 B per socket is not one 256-byte slot: " + differs);
    }

    @Test
    void aFewHundredSocketsAreWeighedWithinTheSlabsPerCpuGranule() {
        // CI measured this: 688 objects grown for 791 sockets on 2 CPUs, 223 B; up to 2 × (16 + 52) objects are counted per CPU,
        // and 5 empty slabs of 16 on the node
        MemoryRow ci = new MemoryRow(0, 791, 80L, 768L, 256L, 248L, 80L, 1000L, 2000L, 2500L);
        Claim small = find(Claims.of(WHERE, new Tally(800, 500, 2, 131072, 791, 0, 0, "", ci, 2)), "", Claims.TW_MEMORY);
        assertEquals(223, small.measuredValue());
        assertEquals(Claim.Verdict.AGREES, small.verdict(), small.toString());
        assertTrue(small.band().startsWith("model ± 27 %: the cache counts whole per-CPU slabs and partial lists and the empty slabs a"
                + " node keeps, up to 216 objects on 2 CPUs"), small.band());
        // a full run measured this right after a configuration that freed 89,000: 848 objects for 1000 sockets, 217 B
        MemoryRow after = new MemoryRow(0, 1000, 80L, 928L, 256L, 248L, 80L, 1000L, 2000L, 2500L);
        Claim reused = find(Claims.of(WHERE, new Tally(5000, 1000, 1, 1000, 1000, 0, 0, "", after, 2)), "", Claims.TW_MEMORY);
        assertEquals(217, reused.measuredValue());
        assertEquals(Claim.Verdict.AGREES, reused.verdict(), reused.toString());
        // a shortfall larger than one CPU's slabs and the node's explain
        MemoryRow short1 = new MemoryRow(0, 791, 80L, 600L, 256L, 248L, 80L, 1000L, 2000L, 2500L);
        Claim oneCpu = find(Claims.of(WHERE, new Tally(800, 500, 2, 131072, 791, 0, 0, "", short1, 1)), "", Claims.TW_MEMORY);
        assertEquals(Claim.Verdict.DIFFERS, oneCpu.verdict(), oneCpu.toString());
    }
}
