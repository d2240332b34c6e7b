package tcplab.experiment.serverside.closewaitleak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.Claim.Verdict;
import tcplab.experiment.LineRequest.Outcome;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.Handler;
import tcplab.experiment.serverside.closewaitleak.EventRow.Event;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;
import tcplab.testing.Fixtures;

/**
 * C13's claims on the recorded quick run (128 descriptors, 2 s of traffic at 100 requests/s, a 2 s
 * hold, tcp_fin_timeout 1) and on leaks built here.
 */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;handler=LEAKY;fdLimit=128");
    private static final long T = 1_800_000_000_000L;

    private static Claim metric(List<Claim> claims, String id) {
        List<Claim> found = claims.stream().filter(c -> c.metric().id().equals(id)).toList();
        assertEquals(1, found.size(), id + ": " + claims);
        return found.get(0);
    }

    @Test
    void theRecordedLeakRunsOutOfDescriptorsAndFailsQuietly() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "close-wait-leak"));
        assertEquals(8, claims.size(), "seven for the leak, one for the correct handler");
        Claim hold = metric(claims, "close_wait_after_hold");
        assertEquals(136, hold.measuredValue(), "more than the 128 descriptors: unaccepted connections the clients gave up on count too");
        assertEquals(hold.modelValue(), hold.measuredValue());
        assertEquals(Verdict.CONSISTENT, hold.verdict(), "a 1.9 s hold cannot show that no timer ever fires");
        assertTrue(hold.horizon().startsWith("a 1.9 s hold; past 63 s"), hold.horizon());
        Claim fds = metric(claims, "max_server_fds");
        assertEquals(128, fds.measuredValue());
        assertEquals(Verdict.AGREES, fds.verdict());
        assertEquals("43 × Too many open files", metric(claims, "accept_errors").measuredOutcome());
        Claim failing = metric(claims, "requests_answered_share_failing");
        assertEquals(0, failing.measuredValue());
        assertEquals(0.05, failing.high());
        assertEquals("at most 5 % answered", failing.band());
        // none of 77 answered fits a port answering 5 % of the time too: 3 binomial standard deviations need 191
        assertEquals(Verdict.CONSISTENT, failing.verdict(), failing.toString());
        assertEquals("only 77 requests after accept() failed: too few to tell 0 % from 5 % (that takes 191)", failing.horizon());
        assertTrue(failing.explanation().startsWith("Of 77 requests sent after accept() first failed, 7 connected but got no answer"),
                failing.explanation());
        Claim cpu = metric(claims, "server_cpu_failing");
        assertEquals("0.5% of a core", cpu.measuredOutcome());
        assertEquals(Verdict.AGREES, cpu.verdict());
        assertEquals("0 sockets; 5 of 5 answered", metric(claims, "close_wait_after_close").measuredOutcome());
        Claim reconnect = metric(claims, "reconnect_into_close_wait");
        assertEquals("connected after 0.009 s; 1 challenge ACK, 1 RST from the client", reconnect.measuredOutcome());
        assertEquals(Verdict.AGREES, reconnect.verdict());
        Claim correct = metric(claims, "requests_answered_share");
        assertEquals(1, correct.measuredValue());
        assertEquals(Verdict.AGREES, correct.verdict(), "201 of 201 answered rules out 95 %");
        assertTrue(correct.explanation().contains("descriptors stay at 9 of 128"), correct.explanation());
        claims.forEach(c -> assertTrue(c.where().conditions().contains("net.ipv4.tcp_fin_timeout=1"), c.toString()));
    }

    private static SampleRow sample(long at, long closeWait, long fds, long cpuMs) {
        return new SampleRow(T + at, closeWait, 0, 0, fds, cpuMs, 60_000, 0, 0);
    }

    private static RequestRow request(Phase phase, long at, Outcome outcome) {
        return new RequestRow(phase, T + at, outcome, outcome == Outcome.CONNECT_TIMEOUT ? -1 : 200, 1000, 40_000, "");
    }

    /**
     * A leak over a 70 s hold: 130 requests use up the descriptors, accept() fails from 3 s on, the
     * later requests get no answer; {@code holdEnd} CLOSE_WAIT sockets are left at the hold's end
     * (120 at its start), and the reconnect took {@code reconnectUs}.
     */
    private static Trace leak(long holdEnd, long reconnectUs) {
        List<EventRow> events = new ArrayList<>();
        long[] at = {0, 1_000, 5_000, 75_000, 76_000, 77_000};
        Event[] kinds = {Event.START, Event.TRAFFIC, Event.HOLD, Event.CLOSE, Event.AFTER, Event.END};
        for (int i = 0; i < at.length; i++) {
            events.add(new EventRow(kinds[i], T + at[i]));
        }
        List<SampleRow> samples = List.of(sample(1_000, 0, 8, 300), sample(2_900, 100, 128, 400), sample(5_100, 120, 128, 410),
                sample(74_900, holdEnd, 128, 500), sample(75_500, 0, 9, 505));
        List<RequestRow> requests = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            requests.add(request(Phase.TRAFFIC, 1_000 + 20 * i, i < 100 ? Outcome.ANSWERED : i < 110 ? Outcome.NO_ANSWER : Outcome.CONNECT_TIMEOUT));
        }
        for (int i = 0; i < 5; i++) {
            requests.add(request(Phase.AFTER, 76_000 + i, Outcome.ANSWERED));
        }
        return new Trace(events, samples, requests, List.of(new AcceptErrorRow(T + 3_000, "Too many open files")),
                List.of(new ReconnectRow(40_000, Outcome.ANSWERED, reconnectUs, "CLOSE_WAIT", 1, 1, 1)));
    }

    @Test
    void closeWaitThroughAHoldPastEveryTimerAgrees() {
        List<Claim> claims = Claims.of(WHERE, Handler.LEAKY, 128, leak(120, 9_000));
        Claim hold = metric(claims, "close_wait_after_hold");
        assertEquals(Verdict.AGREES, hold.verdict(), "69.8 s: past TIME_WAIT and the default tcp_fin_timeout: " + hold);
        assertEquals("", hold.horizon());
        Claim failing = metric(claims, "requests_answered_share_failing");
        assertEquals(0, failing.measuredValue(), "every request sent after 3.1 s is one of the 30 unanswered");
        assertTrue(failing.explanation().startsWith("Of 24 requests sent after accept() first failed, 4 connected but got no answer"),
                failing.explanation());
        assertEquals(Verdict.AGREES, metric(claims, "max_server_fds").verdict());
        assertEquals(Verdict.AGREES, metric(claims, "reconnect_into_close_wait").verdict());
        // (500 - 400) ms of CPU over the 72 s from the last sample before the first error (at 2.9 s) to the hold's end
        assertEquals("0.1% of a core", metric(claims, "server_cpu_failing").measuredOutcome());
    }

    @Test
    void closeWaitThatWentDuringTheHoldDiffers() {
        Claim hold = metric(Claims.of(WHERE, Handler.LEAKY, 128, leak(90, 9_000)), "close_wait_after_hold");
        assertEquals(Verdict.DIFFERS, hold.verdict(), hold.toString());
        assertEquals(120, hold.modelValue());
        assertEquals(90, hold.measuredValue());
    }

    @Test
    void aReconnectAfterTheInitialSynTimeoutDiffers() {
        Claim reconnect = metric(Claims.of(WHERE, Handler.LEAKY, 128, leak(120, 1_003_000)), "reconnect_into_close_wait");
        assertEquals(Verdict.DIFFERS, reconnect.verdict(), "a kernel before 2020 resends after 1 s: " + reconnect);
        assertEquals("connected after 1.003 s; 1 challenge ACK, 1 RST from the client", reconnect.measuredOutcome());
    }

    @Test
    void twoChallengeAcksReadInThePlural() {
        Trace one = leak(120, 9_000);
        Trace two = new Trace(one.events(), one.samples(), one.requests(), one.acceptErrors(),
                List.of(new ReconnectRow(40_000, Outcome.ANSWERED, 9_000, "CLOSE_WAIT", 2, 2, 1)));
        Claim reconnect = metric(Claims.of(WHERE, Handler.LEAKY, 128, two), "reconnect_into_close_wait");
        assertEquals("connected after 0.009 s; 2 challenge ACKs, 2 RSTs from the client", reconnect.measuredOutcome());
    }

    @Test
    void tooFewRequestsToUseUpTheDescriptorsAreSkipped() {
        Trace full = leak(120, 9_000);
        Trace few = new Trace(full.events(), full.samples(), full.requests().subList(0, 50), List.of(), List.of());
        List<Claim> claims = Claims.of(WHERE, Handler.LEAKY, 128, few);
        Claim fds = metric(claims, "max_server_fds");
        assertEquals(Verdict.SKIPPED, fds.verdict());
        assertTrue(fds.explanation().startsWith("50 requests cannot use up 120 free descriptors (8 of 128 in use at the start)"),
                fds.explanation());
        assertTrue(claims.stream().noneMatch(c -> c.metric().id().startsWith("server_cpu")), "accept() never failed: " + claims);
    }
}
