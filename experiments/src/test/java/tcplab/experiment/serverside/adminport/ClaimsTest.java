package tcplab.experiment.serverside.adminport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.LineRequest.Outcome;
import tcplab.experiment.Params;
import tcplab.experiment.serverside.adminport.EventRow.Event;
import tcplab.testing.Fixtures;

/**
 * C9's claims on the recorded quick run (calm 1 s, stuck 3 s, recover 1 s) and on timelines built
 * here: calm 0–1 s, stuck 1–4 s, recovered 4–5 s; with 4 workers, 8 queue slots and 20 requests/s
 * the pool is full by 1.6 s, so probes count as saturated from 2.6 s (one deadline later) to 3 s
 * (one deadline before the recovery).
 */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;mode=test");
    private static final List<EventRow> EVENTS = List.of(new EventRow(Event.CALM, 0), new EventRow(Event.STUCK, 1000),
            new EventRow(Event.RECOVERED, 4000), new EventRow(Event.END, 5000));

    @Test
    void theRecordedRunAgreesForBothPorts() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "admin-port"));
        assertEquals(6, claims.size(), "two modes × calm, saturated and the accept queue");
        claims.forEach(c -> assertEquals(Claim.Verdict.AGREES, c.verdict(), c.toString()));

        Claim shared = find(claims, "mode=SHARED;", "phase=saturated");
        assertEquals(0.0, shared.measuredValue());
        assertEquals(0.0, shared.low());
        assertEquals(0.05, shared.high());
        assertTrue(shared.explanation().contains("did not connect: 2") && shared.explanation().endsWith("0 of 2 answered."),
                shared.explanation());
        Claim separate = find(claims, "mode=SEPARATE;", "phase=saturated");
        assertEquals(1.0, separate.measuredValue());
        assertEquals(0.95, separate.low());
        assertTrue(separate.band().startsWith("at least 95 %"), separate.band());
        assertTrue(find(claims, "mode=SEPARATE;", "phase=calm").explanation().endsWith("6 of 6 answered."));
        Claim queue = claims.stream().filter(c -> c.where().conditions().contains("mode=SHARED;")
                && c.metric().id().equals("max_business_accept_queue")).findFirst().orElseThrow();
        assertEquals(9.0, queue.modelValue(), "backlog 8 + 1");
        assertEquals(9.0, queue.measuredValue());
    }

    @Test
    void aSharedPortThatKeepsAnsweringDiffers() {
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of(), EVENTS, probes(at -> Outcome.ANSWERED), queueFullFrom(1500));
        assertEquals(Claim.Verdict.AGREES, find(claims, "phase=calm").verdict());
        Claim saturated = find(claims, "phase=saturated");
        assertEquals(Claim.Verdict.DIFFERS, saturated.verdict(), saturated.toString());
        assertEquals(1.0, saturated.measuredValue());
        assertTrue(saturated.explanation().endsWith("3 of 3 answered."), "probes at 2.6, 2.8 and 3.0 s: " + saturated.explanation());
    }

    @Test
    void saturationStartsWhenTheServerSawTheQueueFull() {
        // the load arrived late: the queue is full only at 2.9 s, so the answers at 2.6 and 2.8 s are still filling
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of(), EVENTS,
                probes(at -> at < 2900 ? Outcome.ANSWERED : Outcome.CONNECT_TIMEOUT), queueFullFrom(2900));
        Claim saturated = find(claims, "phase=saturated");
        assertEquals(Claim.Verdict.AGREES, saturated.verdict(), saturated.toString());
        assertTrue(saturated.explanation().contains("did not connect: 1") && saturated.explanation().endsWith("0 of 1 answered."),
                saturated.explanation());
    }

    @Test
    void aQueueThatNeverFillsDiffers() {
        List<SampleRow> samples = List.of(sample(1500, 8), sample(2500, 8)); // never past the backlog
        List<Claim> claims = Claims.of(WHERE, params("SEPARATE"), Map.of("net.core.somaxconn", "4096"), EVENTS,
                probes(at -> Outcome.ANSWERED), samples);
        assertEquals(Claim.Verdict.AGREES, find(claims, "phase=saturated").verdict());
        Claim queue = claims.get(2);
        assertEquals("max_business_accept_queue", queue.metric().id());
        assertEquals(Claim.Verdict.DIFFERS, queue.verdict());
        assertEquals(9.0, queue.modelValue());
        assertEquals(8.0, queue.measuredValue());
    }

    @Test
    void somaxconnCapsTheBacklog() {
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of("net.core.somaxconn", "4"), EVENTS,
                probes(at -> at >= 1000 && at < 4000 ? Outcome.NO_ANSWER : Outcome.ANSWERED), List.of(sample(1500, 5)));
        claims.forEach(c -> assertEquals(Claim.Verdict.AGREES, c.verdict(), c.toString()));
        assertEquals(5.0, claims.get(2).modelValue(), "min(backlog 8, somaxconn 4) + 1");
    }

    @Test
    void noProbeAfterThePoolFilledIsSkipped() {
        List<EventRow> shortStuck = List.of(new EventRow(Event.CALM, 0), new EventRow(Event.STUCK, 1000),
                new EventRow(Event.RECOVERED, 1400), new EventRow(Event.END, 2400));
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of(), shortStuck, probes(at -> Outcome.ANSWERED), List.of());
        Claim saturated = find(claims, "phase=saturated");
        assertEquals(Claim.Verdict.SKIPPED, saturated.verdict());
        assertTrue(saturated.explanation().contains("make 'stuck' longer"), saturated.explanation());
    }

    @Test
    void aRunThatEndedEarlyClaimsNothing() {
        assertEquals(List.of(), Claims.of(WHERE, params("SHARED"), Map.of(), EVENTS.subList(0, 3), probes(at -> Outcome.ANSWERED),
                List.of()));
    }

    private static Params params(String mode) {
        return new AdminPortExperiment().params(Map.of("mode", mode));
    }

    /** A probe every 200 ms from 0 to 4.8 s. */
    private static List<ProbeRow> probes(LongFunction<Outcome> outcome) {
        List<ProbeRow> probes = new ArrayList<>();
        for (long at = 0; at < 5000; at += 200) {
            Outcome o = outcome.apply(at);
            probes.add(new ProbeRow(at, o, o == Outcome.CONNECT_TIMEOUT ? -1 : 300, o == Outcome.ANSWERED ? 900 : -1, ""));
        }
        return probes;
    }

    private static List<SampleRow> queueFullFrom(long at) {
        return List.of(sample(at - 100, 3), sample(at, 9), sample(at + 100, 9));
    }

    private static SampleRow sample(long at, long businessQueue) {
        return new SampleRow(at, 4, 8, businessQueue, null, 0, 0);
    }

    private static Claim find(List<Claim> claims, String... parts) {
        return claims.stream().filter(c -> java.util.Arrays.stream(parts).allMatch(p -> c.where().conditions().contains(p)))
                .filter(c -> c.metric().id().equals("management_answered_share")).findFirst().orElseThrow();
    }
}
