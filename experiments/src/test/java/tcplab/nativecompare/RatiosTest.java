package tcplab.nativecompare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tcplab.socket.CloseMode;

/** What the rounds say, from rows built here. */
class RatiosTest {
    private static final Comparison SERVER = new Comparison(Comparison.Side.SERVER, CloseMode.CLIENT_RST, 1);

    private static Measurement m(int round, Comparison.Contender who, double rate, double serverCpu) {
        return new Measurement(round, SERVER, who, rate, 0, 5, 20, serverCpu, who == Comparison.Contender.TCPLAB ? 2 : 0, 0);
    }

    @Test
    void theHeadlineIsTheRatioOfMediansAndTheRangeComesFromEachRoundsPair() {
        List<Measurement> rows = List.of(
                m(1, Comparison.Contender.C, 40000, 7), m(1, Comparison.Contender.TCPLAB, 30000, 22),
                m(2, Comparison.Contender.TCPLAB, 36000, 21), m(2, Comparison.Contender.C, 40000, 8),
                m(3, Comparison.Contender.C, 50000, 6), m(3, Comparison.Contender.TCPLAB, 35000, 23));
        Ratios.Result r = Ratios.of(rows).get(0);
        assertEquals(3, r.rounds());
        assertEquals(35000, r.tcplab(), 1e-9);
        assertEquals(40000, r.c(), 1e-9);
        assertEquals(0.875, r.ratio(), 1e-9, "medians 35000 / 40000");
        assertEquals(0.70, r.lowest(), 1e-9, "round 3: 35000 / 50000");
        assertEquals(0.90, r.highest(), 1e-9, "round 2: 36000 / 40000");
        assertEquals(0.75, r.pairedMedian(), 1e-9, "the rounds' own ratios 0.75, 0.90, 0.70");
        assertTrue(r.stalled(), "tcplab's rounds sent SYNs again");
        assertEquals(22, r.tcplabServerCpu(), 1e-9);
        assertEquals(7, r.cServerCpu(), 1e-9);
        assertFalse(r.met(), "0.875 < 0.97");
        assertEquals(6, r.tcplabSynRetransmits(), "summed over the rounds");
        assertEquals(0, r.cSynRetransmits());
        String table = Ratios.table(List.of(r));
        assertTrue(table.contains("| server, RST, 1 thread | 35.0k/s | 40.0k/s | **0.875** | 0.750 | 0.700–0.900 | 0.97 **missed**, with stalls"
                + " | 20.0 µs / 20.0 µs | 22.0 µs / 7.0 µs | 6 / 0 |"), table);
    }

    @Test
    void aComparisonMeetsItsTargetOnlyWhenTheRoundsOwnRatiosDoToo() {
        // C jumps to a lower level in rounds 2 and 3: the medians' ratio is 1.0, but tcplab lost two rounds of three
        List<Measurement> rows = List.of(
                m(1, Comparison.Contender.C, 50000, 7), m(1, Comparison.Contender.TCPLAB, 45000, 20),
                m(2, Comparison.Contender.TCPLAB, 40000, 20), m(2, Comparison.Contender.C, 45000, 7),
                m(3, Comparison.Contender.C, 45000, 7), m(3, Comparison.Contender.TCPLAB, 50000, 20));
        Ratios.Result r = Ratios.of(rows).get(0);
        assertEquals(1.0, r.ratio(), 1e-9, "medians 45000 / 45000");
        assertEquals(0.9, r.pairedMedian(), 1e-9, "0.9, 0.889, 1.111");
        assertFalse(r.met(), r.toString());
    }

    @Test
    void aRowReadBackIsTheRowWritten() {
        Measurement written = new Measurement(2, new Comparison(Comparison.Side.STACK, CloseMode.CLIENT_RST, 2), Comparison.Contender.TCPLAB,
                1234.5, 3, 5, Double.NaN, 12.25, 4, 1);
        Object[] row = written.row();
        Map<String, String> read = new java.util.HashMap<>();
        for (int i = 0; i < Measurement.COLUMNS.length; i++) {
            read.put(Measurement.COLUMNS[i], String.valueOf(row[i]));
        }
        assertEquals(written, Measurement.of(read));
    }

    @Test
    void theStackClosesWithAnRstAndTheClientWithAFinCloseMustBeLevel() {
        assertThrows(IllegalArgumentException.class, () -> new Comparison(Comparison.Side.STACK, CloseMode.CLIENT_FIN, 1));
        assertEquals(0.99, new Comparison(Comparison.Side.CLIENT, CloseMode.CLIENT_FIN, 1).target(), 1e-9);
        assertEquals(List.of("client, RST, 1 thread", "client, RST, 2 threads", "stack, RST, 1 thread", "stack, RST, 2 threads"),
                Comparison.all(List.of(Comparison.Side.CLIENT, Comparison.Side.STACK), List.of(CloseMode.CLIENT_RST, CloseMode.CLIENT_FIN),
                        List.of(1, 2)).stream().filter(c -> c.closeMode() == CloseMode.CLIENT_RST).map(Comparison::label).toList());
    }
}
