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
    void theRecordedRunFitsForBothPortsButHasTooFewProbesToAgree() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "admin-port"));
        assertEquals(6, claims.size(), "two modes × calm, saturated and the accept queue");
        claims.forEach(c -> assertEquals(c.metric().equals(Claims.ANSWERED) ? Claim.Verdict.CONSISTENT : Claim.Verdict.AGREES,
                c.verdict(), c.toString()));

        Claim shared = find(claims, "mode=SHARED;", "phase=saturated");
        assertEquals(0.0, shared.measuredValue());
        assertEquals(0.0, shared.low());
        assertEquals(0.05, shared.high());
        assertTrue(shared.explanation().contains("did not connect: 2") && shared.explanation().endsWith("0 of 2 answered."),
                shared.explanation());
        assertEquals("only 2 probes in the saturated phase: too few to tell 0 % from 5 % (that takes 191)", shared.horizon());
        Claim separate = find(claims, "mode=SEPARATE;", "phase=saturated");
        assertEquals(1.0, separate.measuredValue());
        assertEquals(0.95, separate.low());
        assertTrue(separate.band().startsWith("at least 95 %"), separate.band());
        assertEquals("only 2 probes in the saturated phase: too few to tell 100 % from 95 % (that takes 191)", separate.horizon());
        Claim calm = find(claims, "mode=SEPARATE;", "phase=calm");
        assertTrue(calm.explanation().endsWith("6 of 6 answered."));
        assertTrue(calm.horizon().startsWith("only 6 probes in the calm phase"), calm.horizon());
        Claim queue = claims.stream().filter(c -> c.where().conditions().contains("mode=SHARED;")
                && c.metric().id().equals("max_business_accept_queue")).findFirst().orElseThrow();
        assertEquals(9.0, queue.modelValue(), "backlog 8 + 1");
        assertEquals(9.0, queue.measuredValue());
    }

    @Test
    void aSharedPortThatKeepsAnsweringDiffers() {
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of(), EVENTS, probes(at -> Outcome.ANSWERED), queueFullFrom(1500));
        assertEquals(Claim.Verdict.CONSISTENT, find(claims, "phase=calm").verdict(), "5 probes");
        Claim saturated = find(claims, "phase=saturated");
        assertEquals(Claim.Verdict.DIFFERS, saturated.verdict(), "3 of 3 answered contradicts at most 5 %, however few: " + saturated);
        assertEquals("", saturated.horizon());
        assertEquals(1.0, saturated.measuredValue());
        assertTrue(saturated.explanation().endsWith("3 of 3 answered."), "probes at 2.6, 2.8 and 3.0 s: " + saturated.explanation());
    }

    @Test
    void saturationStartsWhenTheServerSawTheQueueFull() {
        // the load arrived late: the queue is full only at 2.9 s, so the answers at 2.6 and 2.8 s are still filling
        List<Claim> claims = Claims.of(WHERE, params("SHARED"), Map.of(), EVENTS,
                probes(at -> at < 2900 ? Outcome.ANSWERED : Outcome.CONNECT_TIMEOUT), queueFullFrom(2900));
        Claim saturated = find(claims, "phase=saturated");
        assertEquals(Claim.Verdict.CONSISTENT, saturated.verdict(), saturated.toString());
        assertTrue(saturated.explanation().contains("did not connect: 1") && saturated.explanation().endsWith("0 of 1 answered."),
                saturated.explanation());
    }

    @Test
    void aQueueThatNeverFillsDiffers() {
        List<SampleRow> samples = List.of(sample(1500, 8), sample(2500, 8)); // never past the backlog
        List<Claim> claims = Claims.of(WHERE, params("SEPARATE"), Map.of("net.core.somaxconn", "4096"), EVENTS,
                probes(at -> Outcome.ANSWERED), samples);
        assertEquals(Claim.Verdict.CONSISTENT, find(claims, "phase=saturated").verdict());
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
        assertEquals(Claim.Verdict.AGREES, claims.get(2).verdict(), claims.get(2).toString());
        assertEquals(5.0, claims.get(2).modelValue(), "min(backlog 8, somaxconn 4) + 1");
    }

    @Test
    void enoughProbesRuleOutTheOtherSideAndAgree() {
        // calm 0–40 s, stuck 40–82 s (saturated from 41.6 s to 81 s): 200 and 198 probes at one every 200 ms
        List<EventRow> longer = List.of(new EventRow(Event.CALM, 0), new EventRow(Event.STUCK, 40_000),
                new EventRow(Event.RECOVERED, 82_000), new EventRow(Event.END, 83_000));
        List<ProbeRow> probes = probes(83_000, at -> at >= 40_000 && at < 82_000 ? Outcome.CONNECT_TIMEOUT : Outcome.ANSWERED);
        List<Claim> shared = Claims.of(WHERE, params("SHARED"), Map.of(), longer, probes, queueFullFrom(40_500));
        Claim calm = find(shared, "phase=calm");
        assertEquals(Claim.Verdict.AGREES, calm.verdict(), calm.toString());
        assertTrue(calm.explanation().endsWith("200 of 200 answered."), calm.explanation());
        Claim saturated = find(shared, "phase=saturated");
        assertEquals(Claim.Verdict.AGREES, saturated.verdict(), saturated.toString());
        assertTrue(saturated.explanation().endsWith("0 of 198 answered."), saturated.explanation());

        // one answer in 198 is 0.5 %, inside the band, but 3 standard deviations of 5 % over 198 probes reach down to 0.1 %
        List<ProbeRow> oneAnswered = probes(83_000, at -> at >= 40_000 && at < 82_000 && at != 50_000 ? Outcome.CONNECT_TIMEOUT
                : Outcome.ANSWERED);
        Claim one = find(Claims.of(WHERE, params("SHARED"), Map.of(), longer, oneAnswered, queueFullFrom(40_500)), "phase=saturated");
        assertEquals(Claim.Verdict.CONSISTENT, one.verdict(), one.toString());
        assertTrue(one.horizon().startsWith("only 198 probes in the saturated phase: too few to tell 0.5 % from 5 %"), one.horizon());

        // ten answers in 198 are 5.1 %: outside the band, a difference
        List<ProbeRow> ten = probes(83_000, at -> at >= 40_000 && at < 82_000 && (at < 50_000 || at >= 52_000) ? Outcome.CONNECT_TIMEOUT
                : Outcome.ANSWERED);
        assertEquals(Claim.Verdict.DIFFERS, find(Claims.of(WHERE, params("SHARED"), Map.of(), longer, ten, queueFullFrom(40_500)),
                "phase=saturated").verdict());
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
        return probes(5000, outcome);
    }

    /** A probe every 200 ms from 0 until {@code end}. */
    private static List<ProbeRow> probes(long end, LongFunction<Outcome> outcome) {
        List<ProbeRow> probes = new ArrayList<>();
        for (long at = 0; at < end; at += 200) {
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
