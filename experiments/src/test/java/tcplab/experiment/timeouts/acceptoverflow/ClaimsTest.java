package tcplab.experiment.timeouts.acceptoverflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.timeouts.acceptoverflow.ConnectRow.Outcome;
import tcplab.testing.Fixtures;

/**
 * C10's claims on the recorded quick run (backlog 4, 60 clients, one accept every 200 ms, a 4 s
 * connect timeout, SYN cookies off, tcp_abort_on_overflow 0 and 1) and on connects that break the model.
 */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth");

    private static Claim metric(List<Claim> claims, String id) {
        return claims.stream().filter(c -> c.metric().id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id + " in " + claims));
    }

    @Test
    void theRecordedRunConnectsOnlyOnTheSynScheduleAndResetsNobody() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "accept-overflow"));
        assertEquals(4, claims.size(), "schedule and resets, for tcp_abort_on_overflow 0 and 1");

        List<Claim> abort0 = claims.stream().filter(c -> c.conditions().contains("tcp_abort_on_overflow=0")).toList();
        Claim schedule = metric(abort0, "connects_on_syn_schedule");
        assertEquals(Claim.Verdict.AGREES, schedule.verdict(), schedule.toString());
        assertEquals(21.0, schedule.modelValue(), "21 of 60 got in within the 4 s timeout");
        assertEquals(21.0, schedule.measuredValue());
        assertTrue(schedule.explanation().contains("ListenOverflows +55 here"), schedule.explanation());
        assertTrue(schedule.explanation().contains("[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 11.0"), "4 linear timeouts: " + schedule.explanation());
        assertTrue(schedule.explanation().contains("Latencies seen: 0: 6, 1: 5, 2: 6, 3: 4."), schedule.explanation());
        Claim reset = metric(abort0, "connections_reset");
        assertEquals(Claim.Verdict.AGREES, reset.verdict(), reset.toString());
        assertEquals(0.0, reset.measuredValue());

        List<Claim> abort1 = claims.stream().filter(c -> c.conditions().contains("tcp_abort_on_overflow=1")).toList();
        assertEquals(Claim.Verdict.AGREES, metric(abort1, "connects_on_syn_schedule").verdict());
        Claim resets = metric(abort1, "resets_on_completed_handshake");
        assertEquals(Claim.Verdict.CONSISTENT, resets.verdict(), "no reset seen, so the reset rule was not tested: " + resets);
        assertEquals("0 reset this time", resets.measuredOutcome());
        assertTrue(resets.horizon().contains("no handshake completed into a full queue"), resets.horizon());
    }

    /** Connects with no linear timeouts: SYNs at 0, 1, 3, 7 s, ... */
    private static final Map<String, String> ABORT_0 = Map.of("net.ipv4.tcp_abort_on_overflow", "0", "net.ipv4.tcp_syn_retries", "6",
            "net.ipv4.tcp_syn_linear_timeouts", "0");
    private static final Map<String, String> ABORT_1 = Map.of("net.ipv4.tcp_abort_on_overflow", "1", "net.ipv4.tcp_syn_retries", "6",
            "net.ipv4.tcp_syn_linear_timeouts", "0");

    private static List<ConnectRow> rows(Outcome outcome, long... latenciesMs) {
        List<ConnectRow> rows = new ArrayList<>();
        for (long ms : latenciesMs) {
            rows.add(new ConnectRow(rows.size() + 1, 1_000_000, 1_000_000 + ms, outcome, ""));
        }
        return rows;
    }

    @Test
    void aConnectBetweenSynSendTimesOrAResetWithoutAbortOnOverflowDiffers() {
        // 1.2 s is within 0.1 s + 1/8 of the 1 s send time; 2 s lies between 1 and 3 s
        List<ConnectRow> rows = rows(Outcome.CONNECTED, 0, 1200, 2000, 3050);
        rows.addAll(rows(Outcome.RESET, 1000));
        rows.addAll(rows(Outcome.TIMEOUT, 4000));
        List<Claim> claims = Claims.of(WHERE, ABORT_0, 10, rows);
        Claim schedule = metric(claims, "connects_on_syn_schedule");
        assertEquals(Claim.Verdict.DIFFERS, schedule.verdict(), schedule.toString());
        assertEquals(4.0, schedule.modelValue());
        assertEquals(3.0, schedule.measuredValue());
        Claim reset = metric(claims, "connections_reset");
        assertEquals(Claim.Verdict.DIFFERS, reset.verdict(), "with 0 the server never resets: " + reset);
        assertEquals(1.0, reset.measuredValue());
    }

    @Test
    void withAbortOnOverflowAResetAsAHandshakeCompletesAgreesAndOneBetweenDiffers() {
        Claim onSchedule = metric(Claims.of(WHERE, ABORT_1, 10, rows(Outcome.RESET, 1020)), "resets_on_completed_handshake");
        assertEquals(Claim.Verdict.AGREES, onSchedule.verdict(), onSchedule.toString());
        assertEquals("1 reset (after 1.02 s)", onSchedule.measuredOutcome());
        assertEquals("", onSchedule.horizon());
        List<ConnectRow> rows = rows(Outcome.CONNECTED, 0);
        rows.addAll(rows(Outcome.REFUSED, 2000));
        List<Claim> claims = Claims.of(WHERE, ABORT_1, 10, rows);
        assertEquals(Claim.Verdict.AGREES, metric(claims, "connects_on_syn_schedule").verdict());
        Claim between = metric(claims, "resets_on_completed_handshake");
        assertEquals(Claim.Verdict.DIFFERS, between.verdict(), "a reset at 2 s is no handshake completing: " + between);
    }

    @Test
    void onAPathWithARoundTripEachConnectIsPlacedOnTheScheduleLessOneRtt() {
        // two machines 250 ms apart: a connect returns one RTT after its last SYN, at 0.25, 1.25 and 3.25 s
        List<ConnectRow> rows = rows(Outcome.CONNECTED, 250, 1250, 3250);
        Claim withRtt = metric(Claims.of(WHERE, ABORT_0, 10, rows, 0.250), "connects_on_syn_schedule");
        assertEquals(Claim.Verdict.AGREES, withRtt.verdict(), withRtt.toString());
        assertTrue(withRtt.explanation().contains("plus the path's measured RTT of 250.0 ms"), withRtt.explanation());
        Claim without = metric(Claims.of(WHERE, ABORT_0, 10, rows), "connects_on_syn_schedule");
        assertEquals(Claim.Verdict.DIFFERS, without.verdict(), "the textbook schedule alone misplaces them: " + without);
    }
}
