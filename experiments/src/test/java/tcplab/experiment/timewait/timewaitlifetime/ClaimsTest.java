package tcplab.experiment.timewait.timewaitlifetime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.Claim.Verdict;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Connection;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Kind;
import tcplab.testing.Fixtures;

/** C2's claims on the recorded quick run (a 3 s watch, tcp_fin_timeout 2 and 60) and on lifetimes that break the model. */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;sockets=3;watch=7;net.ipv4.tcp_fin_timeout=5");
    private static final Map<String, String> FIN_TIMEOUT_5 = Map.of("net.ipv4.tcp_fin_timeout", "5");

    private static Claim find(List<Claim> claims, String conditionsPart) {
        List<Claim> found = claims.stream().filter(c -> c.conditions().contains(conditionsPart)).toList();
        assertEquals(1, found.size(), conditionsPart + " in " + claims);
        return found.get(0);
    }

    @Test
    void theRecordedRunReadsTimeWaitFromItsTimerAndSeesAScaledFinWait2Expire() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "time-wait-lifetime"));
        assertEquals(4, claims.size(), "two configurations × two states");
        for (String finTimeout : List.of("2", "60")) {
            Claim tw = find(claims, "tcp_fin_timeout=" + finTimeout + ";state=TIME_WAIT");
            assertEquals("time_wait_lifetime_s", tw.metric().id());
            assertEquals(60.0, tw.modelValue(), "60 s whatever tcp_fin_timeout says");
            assertEquals(60.0, tw.measuredValue(), 0.01, tw.toString());
            assertEquals(59.85, tw.low(), 1e-9, "the 150 ms poll below");
            assertEquals(60.15, tw.high(), 1e-9, "a timer read shows the requested expiry: no granule above");
            assertEquals(Verdict.CONSISTENT, tw.verdict(), "3 s of a 60 s lifetime: " + tw);
            assertTrue(tw.horizon().contains("during a 3 s watch"), tw.toString());
            assertTrue(tw.explanation().contains("kernel's own timer") && tw.explanation().contains("over 10 sockets"), tw.toString());
        }
        Claim watched = find(claims, "tcp_fin_timeout=2;state=FIN_WAIT2");
        assertEquals(Verdict.AGREES, watched.verdict(), watched.toString());
        assertEquals(2.0, watched.modelValue());
        assertEquals(2.09, watched.measuredValue(), 1e-9);
        // the 2 s timer lands on the 32 ms level of the timer wheel at HZ 250, plus the 150 ms poll
        assertEquals(2.182, watched.high(), 1e-9);
        assertEquals("", watched.horizon());
        assertTrue(watched.explanation().contains("watching each socket leave"), watched.toString());
        // the sentence states the band the verdict used, to the millisecond: 2.09 s is past the wheel's 2.032 s, inside the read gap
        assertTrue(watched.explanation().contains("fires from 2 to 2.032 s, seen up to 0.15 s later between two reads of the socket table:"
                + " 2.09 s is within that."), watched.explanation());
        assertEquals("timer-wheel granule 0.032 s (CONFIG_HZ = 250) + 0.15 s between two reads of the socket table", watched.band());
        assertEquals("net.ipv4.tcp_fin_timeout=2 (default 60)", watched.scaled());
        assertEquals("60 s", watched.modelAtDefaults());
        Claim outlived = find(claims, "tcp_fin_timeout=60;state=FIN_WAIT2");
        assertEquals(Verdict.CONSISTENT, outlived.verdict(), outlived.toString());
        assertEquals(60.01, outlived.measuredValue(), 1e-9);
        assertEquals("", outlived.scaled(), "tcp_fin_timeout at its default is not scaled");
    }

    /** {@code n} sockets of {@code kind} closed at 0 ms, each seen at 10 ms with {@code timerMs}, and gone at {@code goneMs} unless negative. */
    private static void sockets(Kind kind, int firstPort, int n, long timerMs, long goneMs, List<ClosedRow> closed, List<ObservedRow> observed) {
        for (int port = firstPort; port < firstPort + n; port++) {
            Connection c = new Connection(port, kind == Kind.TIME_WAIT ? 7000 : 7001);
            closed.add(new ClosedRow(c.localPort(), c.remotePort(), kind, 0));
            observed.add(ObservedRow.seen(c, 10, kind.name(), timerMs));
            if (goneMs >= 0) {
                observed.add(ObservedRow.gone(c, goneMs, kind.name()));
            }
        }
    }

    @Test
    void aTimeWaitThatFollowsFinTimeoutDiffersAndTheFinWait2ThatDoesAgrees() {
        List<ClosedRow> closed = new ArrayList<>();
        List<ObservedRow> observed = new ArrayList<>();
        sockets(Kind.TIME_WAIT, 40000, 3, 4990, 5050, closed, observed); // as if TIME_WAIT lasted tcp_fin_timeout
        sockets(Kind.FIN_WAIT2, 40100, 3, 4990, 5100, closed, observed);
        List<Claims.Lifetimes> lifetimes = Claims.lifetimes(5, closed, observed);
        assertEquals(List.of(true, true), lifetimes.stream().map(Claims.Lifetimes::observed).toList(), "each was seen to leave");
        List<Claim> claims = Claims.of(WHERE, FIN_TIMEOUT_5, 7, 250, "CONFIG_HZ = 250", lifetimes);
        Claim tw = find(claims, "state=TIME_WAIT");
        assertEquals(Verdict.DIFFERS, tw.verdict(), tw.toString());
        assertEquals(5.05, tw.measuredValue(), 1e-9);
        assertEquals(60.0, tw.modelValue());
        Claim fw = find(claims, "state=FIN_WAIT2");
        assertEquals(Verdict.AGREES, fw.verdict(), fw.toString());
        assertEquals(5.1, fw.measuredValue(), 1e-9);
        assertEquals("", fw.horizon(), "watched to the end");
        assertEquals("net.ipv4.tcp_fin_timeout=5 (default 60)", fw.scaled());
    }

    @Test
    void aTimerReadIsAtBestConsistentAndAShortTimerStillDiffers() {
        List<ClosedRow> closed = new ArrayList<>();
        List<ObservedRow> observed = new ArrayList<>();
        sockets(Kind.TIME_WAIT, 40000, 3, 59_990, -1, closed, observed); // outlived the watch: 10 ms spent + 59.99 s to go
        sockets(Kind.FIN_WAIT2, 40100, 3, 30_000, -1, closed, observed); // a timer of 30 s where tcp_fin_timeout is 5
        closed.add(new ClosedRow(40200, 7000, Kind.TIME_WAIT, 0)); // never seen: no lifetime, not a zero
        List<Claim> claims = Claims.of(WHERE, FIN_TIMEOUT_5, 7, 250, "CONFIG_HZ = 250", Claims.lifetimes(5, closed, observed));
        Claim tw = find(claims, "state=TIME_WAIT");
        assertEquals(Verdict.CONSISTENT, tw.verdict(), tw.toString());
        assertEquals(60.0, tw.measuredValue(), 1e-9);
        assertTrue(tw.explanation().contains("over 3 sockets"), "the socket never seen is left out: " + tw);
        assertEquals("read from the kernel's timer during a 7 s watch, not watched to the socket's end", tw.horizon());
        Claim fw = find(claims, "state=FIN_WAIT2");
        assertEquals(Verdict.DIFFERS, fw.verdict(), "a difference stays one short of the horizon: " + fw);
        assertEquals(30.01, fw.measuredValue(), 1e-9);
    }
}
