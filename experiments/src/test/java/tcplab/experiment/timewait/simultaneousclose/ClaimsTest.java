package tcplab.experiment.timewait.simultaneousclose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Claim;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Side;
import tcplab.testing.Fixtures;

/** C6's claims on the recorded quick run (10 pairs per order) and on counts that break the model. */
class ClaimsTest {
    private static final Claim.Where WHERE = new Claim.Where("1-test", "path=veth;pairs=3");

    @Test
    void theRecordedRunAgreesOnEveryOrderAndSide() throws Exception {
        List<Claim> claims = Claims.of(Fixtures.experiment("quick-baseline", "simultaneous-close"));
        assertEquals(6, claims.size(), "three orders × two sides");
        claims.forEach(c -> assertEquals(Claim.Verdict.AGREES, c.verdict(), c.toString()));
        Claim serverAtOnce = claims.stream().filter(c -> c.where().conditions().contains("order=simultaneous")
                && c.metric().id().equals("time_wait_sockets_server")).findFirst().orElseThrow();
        assertEquals(10.0, serverAtOnce.measuredValue());
    }

    @Test
    void aPassiveCloserInTimeWaitDiffers() {
        List<StateRow> rows = List.of(new StateRow(Order.CLIENT_FIRST, Side.CLIENT, "TIME_WAIT", 3),
                new StateRow(Order.CLIENT_FIRST, Side.SERVER, "TIME_WAIT", 1), // the passive closer should have none
                new StateRow(Order.SERVER_FIRST, Side.SERVER, "TIME_WAIT", 3),
                new StateRow(Order.SIMULTANEOUS, Side.CLIENT, "TIME_WAIT", 3),
                new StateRow(Order.SIMULTANEOUS, Side.SERVER, "CLOSED", 3)); // a close that did not cross
        List<Claim> claims = Claims.of(WHERE, 3, rows);
        List<String> differ = claims.stream().filter(c -> c.verdict() == Claim.Verdict.DIFFERS).map(c -> c.where().conditions()).toList();
        assertEquals(2, differ.size(), differ.toString());
        assertTrue(differ.get(0).contains("order=client-first") && differ.get(0).contains("side=server"), differ.toString());
        assertTrue(differ.get(1).contains("order=simultaneous") && differ.get(1).contains("side=server"), differ.toString());
    }
}
