package tcplab.experiment.timeouts.stuckwrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.kernel.TcpModel;

/**
 * C12's model on recorded socket-table rows (at_ms, retransmits, timer_ms) of stuck-write runs on the
 * lab's veth path (Linux 6.18, CONFIG_HZ = 250, 2026-12-01), and the failure each run measured. The
 * kernel's rule, tcp_write_timeout checking retransmits_timed_out as each retransmission timer fires,
 * picks the failing timer; the RTO is a few ms above the 200 ms floor, which makes the failure a
 * doubling earlier than the textbook for 8 and 15, but not for 3.
 */
class StuckWriteClaimsTest {
    private static final int HZ = 250;

    private static List<RetransmitRow> rows(String recorded) {
        List<RetransmitRow> rows = new ArrayList<>();
        for (String row : recorded.trim().split("\\s+")) {
            String[] v = row.split(",");
            rows.add(new RetransmitRow(Long.parseLong(v[0]), Integer.parseInt(v[1]), Long.parseLong(v[2]), Long.parseLong(v[3])));
        }
        return rows;
    }

    /** The failing timer for these rows, checked against the failure the run measured, within the row's band. */
    private static Failure.Timer check(int retries2, String recorded, long faultMs, long failedMs) {
        Map<Integer, Long> fires = Failure.fires(rows(recorded));
        Failure.Path path = Failure.pathRto(fires, faultMs);
        double hypothetical = TcpModel.retransmitTimeoutSeconds(retries2, 0.2, 120);
        Failure.Timer seen = Failure.failingTimer(fires, faultMs, faultMs + Math.round(path.first() * 1000), hypothetical, HZ);
        double measured = (failedMs - faultMs) / 1000.0;
        // the band the claim states: from when the timer was due to one granule later, - 0.05 / + 0.3 s for the clock reads
        assertTrue(measured >= seen.due() - 0.05 && measured <= seen.due() + seen.granule() + 0.3, "tcp_retries2 = " + retries2
                + ": measured " + measured + " s, model " + seen.due() + " s + up to " + seen.granule() + " s");
        assertTrue(path.rto() > 0.2 && path.rto() < 0.215, "the RTO is a few ms above the 200 ms floor: " + path.rto());
        return seen;
    }

    @Test
    void threeFailsTwoDoublingsAfterTheHypotheticalTimeoutAsTheTextbookSays() {
        // the first row shows no time left on the timer: the first timer comes from the next two
        Failure.Timer seen = check(3, "1796160385149,0,0,815680 1796160385364,1,400,815680 1796160385796,2,800,815680"
                + " 1796160386656,3,1590,815680 1796160388283,4,3260,815680", 1796160385146L, 1796160391799L);
        assertEquals(5, seen.number(), "timer 5: timer 4 comes 2.9 s after the first retransmission, short of 3.0 s");
        assertEquals(TcpModel.retransmitFailureSeconds(3, 0.2, 120), seen.due(), 0.3, "close to the textbook 6.2 s");
    }

    @Test
    void eightFailsADoublingBeforeTheTextbook() {
        Failure.Timer seen = check(8, "1796160408091,0,180,3258000 1796160408320,1,370,3258000 1796160408712,2,800,3258000"
                + " 1796160409553,3,1600,3258000 1796160411249,4,3200,3258000 1796160414607,5,6500,3258000 1796160421290,6,13000,3258000"
                + " 1796160434582,7,26080,3258000 1796160461240,8,52160,3258000", 1796160408084L, 1796160514424L);
        assertEquals(9, seen.number());
        assertTrue(seen.due() < 0.6 * TcpModel.retransmitFailureSeconds(8, 0.2, 120), "105 s, not 204.6 s: " + seen.due());
    }

    @Test
    void theDefaultFifteenFailsAfterAbout937SecondsNot1044() {
        Failure.Timer seen = check(15, "1796160852738,0,200,4125656 1796160852957,1,390,4125656 1796160853391,2,800,4125656"
                + " 1796160854205,3,1620,4125656 1796160855906,4,3220,4125656 1796160859261,5,6520,4125656 1796160865917,6,13050,4125656"
                + " 1796160879226,7,26110,4125656 1796160905638,8,52180,4125656 1796160958895,9,104400,4125656"
                + " 1796161065359,10,119980,4125656 1796161186204,11,119960,4125656 1796161307020,12,119980,4125656"
                + " 1796161427832,13,120000,4125656 1796161548664,14,120000,4125656 1796161669522,15,119980,4125656",
                1796160852729L, 1796161790332L);
        assertEquals(16, seen.number());
        assertEquals(936.8, seen.due(), 0.2, "due 936.8 s after the fault; the write failed at 937.6 s");
        assertEquals(2.048, seen.granule(), 1e-9, "a 120 s timer lands on the 512-jiffy level at HZ 250");
    }
}
