package tcplab.experiment.timeouts.stuckwrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.chart.Figures;
import tcplab.chart.Ladder;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.results.Packets;

/** C12's ladder on a real capture of the probe connection (tcp_retries2 = 3), with the stuck write's own record beside it. */
class LaddersTest {
    private static final Path PROBE = Path.of("src/test/resources/fixtures/pcap/stuck-write-probe.pcap");
    /** raw/02-stuck-write-veth-variant=PLAIN-tcp_retries2=3-r1.outcome.csv of the run the capture comes from. */
    private static final OutcomeRow OUTCOME = new OutcomeRow(Variant.PLAIN, 1796180472318L, 1796180478840L, 10610184, "Connection timed out");

    @Test
    void theHandshakeArrivesAndTheProbesDataIsLostThenSentAgainWithDoublingGaps(@TempDir Path dir) throws IOException {
        Packets.Connection c = Packets.read(PROBE, StuckWriteExperiment.PORT);
        assertEquals(9, c.packets().size(), "handshake, the send and five resends: " + c.packets());
        Ladder.Panel panel = Ladders.panel("tcp_retries2 = 3", c, OUTCOME);
        List<Packets.Packet> p = c.packets();
        assertFalse(panel.lost().test(p.get(0)) || panel.lost().test(p.get(2)), "the handshake came before the fault");
        assertTrue(p.subList(3, 9).stream().allMatch(panel.lost()), "everything after the fault is dropped");
        assertEquals("first send", panel.remark().apply(p.get(3)));
        assertTrue(panel.remark().apply(p.get(8)).startsWith("resend 5: +3.3"), panel.remark().apply(p.get(8)));
        // the timeouts double once the tail loss probe is past
        for (int i = 6; i < 9; i++) {
            double gap = p.get(i).seconds() - p.get(i - 1).seconds();
            double before = p.get(i - 1).seconds() - p.get(i - 2).seconds();
            assertEquals(2, gap / before, 0.15, "gap " + i);
        }
        assertEquals(2, panel.events().size());
        assertTrue(panel.events().get(0).seconds() < p.get(3).seconds(), "the fault, then the send");
        assertTrue(panel.events().get(1).seconds() > p.get(8).seconds(), "the write fails after the last resend");

        Figures figures = new Figures(dir, Figures.Context.of("test-run"));
        figures.save(new Ladder("What does the kernel send to a vanished peer before the write fails?", List.of(panel), "note"), "ladder");
        String svg = Files.readString(dir.resolve("ladder.svg"));
        assertTrue(svg.contains("resend 2: +") && svg.contains("(dropped)") && svg.contains("the stuck write fails: Connection timed out"), "words");
        assertTrue(svg.contains("fault: the server host drops everything"));
    }

    @Test
    void aRunWithoutACaptureAddsNothingToTheClaim(@TempDir Path dir) {
        assertEquals("", Packets.read(dir.resolve("none.probe.pcap"), StuckWriteExperiment.PORT).claimNote(), "recorded before the probe");
    }
}
