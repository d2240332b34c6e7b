package tcplab.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.results.Packets;

/** The ladder drawn from a recorded capture, and from none. */
class LadderTest {
    @Test
    void oneArrowPerSegmentWithFooterAndTextInTheSvg(@TempDir Path dir) throws IOException {
        Packets.Connection c = Packets.read(Path.of("src/test/resources/fixtures/pcap/loopback-fin.pcap"), 7000);
        Ladder ladder = new Ladder("Who sends what when a connection closes?", List.of(new Ladder.Panel("client closes first", c,
                List.of(Ladder.State.after(true, "TIME_WAIT")))), "Times since the first segment.");
        assertEquals(c.packets().size(), ladder.arrows());
        assertEquals(8, ladder.arrows());
        Figures figures = new Figures(dir, Figures.Context.of("test-run"));
        figures.save(ladder, "ladder");
        String svg = Files.readString(dir.resolve("ladder.svg"));
        assertTrue(Files.size(dir.resolve("ladder.png")) > 1000);
        assertTrue(svg.contains("<text"), "words as SVG text");
        assertTrue(svg.contains("FIN-ACK seq 6 ack 1"), "each arrow's label is text");
        assertTrue(svg.contains("TIME_WAIT"), "the state sampled");
        assertTrue(svg.contains("run test-run"), "the footer");
    }

    @Test
    void aMissingCaptureIsDrawnAsSuch(@TempDir Path dir) throws IOException {
        Packets.Connection none = Packets.read(dir.resolve("x.pcap"), 7000);
        Ladder ladder = new Ladder("Who sends what?", List.of(new Ladder.Panel("client first", none, List.of())), "");
        assertEquals(0, ladder.arrows());
        new Figures(dir, Figures.Context.of("test-run")).save(ladder, "none");
        assertTrue(Files.readString(dir.resolve("none.svg")).contains("no capture: x.pcap is missing"));
    }

    @Test
    void aLongGapBreaksTheTimeAxisAndSaysHowLong(@TempDir Path dir) throws IOException {
        var syn = java.util.EnumSet.of(Packets.Flag.SYN);
        List<Packets.Packet> retries = List.of(new Packets.Packet(0, true, syn, 0, -1, 0), new Packets.Packet(1.02, true, syn, 0, -1, 0),
                new Packets.Packet(3.05, true, syn, 0, -1, 0));
        Ladder ladder = new Ladder("How often is a SYN sent?", List.of(new Ladder.Panel("dropped", new Packets.Connection("c:1", "s:2", retries, 0, null),
                List.of())), "");
        new Figures(dir, Figures.Context.of("t")).save(ladder, "gap");
        String svg = Files.readString(dir.resolve("gap.svg"));
        assertTrue(svg.contains("1.020 s later") && svg.contains("2.030 s later") && svg.contains("3.050 s"), "real times and gaps");
    }
}
