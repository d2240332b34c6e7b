package tcplab.experiment.serverside.restartrebind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.Claim.Verdict;
import tcplab.experiment.serverside.restartrebind.AttemptRow.Result;
import tcplab.experiment.serverside.restartrebind.EventRow.Event;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpModel;
import tcplab.testing.Fixtures;

/** C7's claims on the recorded quick run (every SO_REUSEADDR pair against every leftover, a 1 s retry) and on restarts built here. */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;leftover=TIME_WAIT");
    private static final long DIED = 1_800_000_000_000L;

    @Test
    void theRecordedRunBindsExactlyWhereTheModelAllows() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "restart-rebind"));
        List<Claim> first = claims.stream().filter(c -> c.metric() == Claims.FIRST_BIND).toList();
        assertEquals(12, first.size(), "two options × two options × three leftovers");
        first.forEach(c -> assertEquals(Verdict.AGREES, c.verdict(), c.toString()));
        long bound = first.stream().filter(c -> c.measuredOutcome().equals("bound")).count();
        assertEquals(6, bound, "nothing left (3), or SO_REUSEADDR on both with TIME_WAIT or ESTABLISHED left (2 + 1)");
        first.stream().filter(c -> !c.measuredOutcome().equals("bound"))
                .forEach(c -> assertEquals("Address already in use", c.measuredOutcome(), c.toString()));
    }

    @Test
    void theRecordedOneSecondWindowIsConsistentWithTimeWaitAndAgreesWithADrain() throws Exception {
        List<Claim> retries = Claims.of(Fixtures.experiment("quick-baseline", "restart-rebind")).stream()
                .filter(c -> c.metric() == Claims.KEEPS_FAILING).toList();
        assertEquals(6, retries.size(), "one per configuration whose first bind() fails");
        for (Claim c : retries) {
            assertEquals("failed for 0.9 s (10 attempts)", c.measuredOutcome(), c.toString());
            if (c.where().conditions().contains("leftover=TIME_WAIT")) {
                assertEquals(Verdict.CONSISTENT, c.verdict(), c.toString());
                assertEquals("fails for 60 s", c.modelOutcome());
                assertEquals("retried for 0.9 s of TIME_WAIT's 60 s, so its end was not seen", c.horizon());
            } else {
                assertTrue(c.where().conditions().contains("leftover=ESTABLISHED"), c.toString());
                assertEquals(Verdict.AGREES, c.verdict(), c.toString());
                assertEquals("", c.horizon());
            }
        }
    }

    @Test
    void theRecordedRunFoundJavasDefault() throws Exception {
        var data = Fixtures.experiment("quick-baseline", "restart-rebind");
        Outcome o = Outcome.read(data, data.trials().get(0));
        assertEquals(Map.of("ServerSocket", true, "ServerSocketChannel", true), o.javaDefaults());
        assertEquals(Map.of("TIME_WAIT", 5L), o.leftover());
        assertEquals(10, o.attempts());
        assertTrue(!o.bound() && o.windowSeconds() > 0.8 && o.windowSeconds() < 1, o.toString());
    }

    /** A new server whose first attempt comes {@code startMs} after the old one was killed, failing until {@code boundMs}. */
    private static Outcome restart(long startMs, long boundMs, long windowMs) {
        List<AttemptRow> attempts = new ArrayList<>();
        int n = 0;
        for (long at = startMs; at <= Math.min(boundMs, windowMs); at += 100) {
            attempts.add(new AttemptRow(++n, DIED + at, at >= boundMs ? Result.BOUND : Result.FAILED,
                    at >= boundMs ? "" : "Address already in use"));
        }
        return Outcome.of(attempts, List.of(new EventRow(Event.OLD_KILLED, DIED), new EventRow(Event.NEW_STARTED, DIED + startMs - 20)),
                List.of(new LeftoverRow("TIME_WAIT", 5)), List.of());
    }

    @Test
    void aBindOnceTimeWaitEndedAgreesWithinTheTimerGranule() {
        Outcome o = restart(300, 60_300, 70_000);
        assertEquals(0.3, o.sinceLeftover(), 1e-9);
        assertEquals(60.0, o.boundAfter(), 1e-9);
        List<Claim> claims = Claims.of(WHERE, new Setup(false, false, Leftover.TIME_WAIT), o, 250, "CONFIG_HZ = 250");
        assertEquals(2, claims.size());
        assertEquals(Verdict.AGREES, claims.get(0).verdict(), "the first bind() failed, as the model says");
        Claim after = claims.get(1);
        assertEquals(Claims.BOUND_AFTER, after.metric());
        assertEquals(60.3, after.measuredValue(), 1e-9);
        assertEquals(60, after.low());
        assertEquals(60 + TcpModel.timerGranuleSeconds(60, 250) + 0.1 + 0.5, after.high(), 1e-9, "60 s + a granule + the retry + 0.5 s");
        assertEquals(Verdict.AGREES, after.verdict(), after.toString());
        assertTrue(after.band().startsWith("timer-wheel granule"), after.band());
    }

    @Test
    void aTimeWaitThatEndedEarlyOrNeverDiffers() {
        Setup neither = new Setup(false, false, Leftover.TIME_WAIT);
        Claim early = Claims.of(WHERE, neither, restart(300, 5_300, 70_000), 250, "CONFIG_HZ = 250").get(1);
        assertEquals(Verdict.DIFFERS, early.verdict(), "bound 5.3 s after the kill, TIME_WAIT lasts 60 s: " + early);
        Claim never = Claims.of(WHERE, neither, restart(300, Long.MAX_VALUE, 70_300), 250, "CONFIG_HZ = 250").get(1);
        assertEquals(Claims.KEEPS_FAILING, never.metric());
        assertEquals("failed for 70.0 s (701 attempts)", never.measuredOutcome());
        assertEquals(Verdict.DIFFERS, never.verdict(), "a window past TIME_WAIT's end that still failed: " + never);
        assertEquals("", never.horizon(), "the window saw where TIME_WAIT should have ended");
    }

    @Test
    void aFirstBindTheModelForbidsDiffers() {
        List<Claim> claims = Claims.of(WHERE, new Setup(true, false, Leftover.TIME_WAIT), restart(300, 300, 1_000), 250, "CONFIG_HZ = 250");
        assertEquals(Verdict.DIFFERS, claims.get(0).verdict(), claims.get(0).toString());
        assertEquals("Address already in use", claims.get(0).modelOutcome());
        assertTrue(claims.get(0).explanation().contains("the new socket lacked SO_REUSEADDR"), claims.get(0).explanation());
        List<Claim> shared = Claims.of(WHERE, new Setup(true, true, Leftover.TIME_WAIT), restart(300, 300, 1_000), 250, "CONFIG_HZ = 250");
        assertEquals(1, shared.size(), "bound at once, as allowed: no retry claim");
        assertEquals(Verdict.AGREES, shared.get(0).verdict());
    }
}
