package tcplab.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pcap reader on a recorded capture: a loopback connection that sends 5 bytes and closes with FINs. */
class PacketsTest {
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/pcap/loopback-fin.pcap");

    @Test
    void readsTheSegmentsOfOneConnectionInOrderWithRelativeNumbers() {
        Packets.Connection c = Packets.read(FIXTURE, 7000);
        assertTrue(c.captured(), c.problem());
        assertEquals("127.0.0.1:7000", c.server());
        assertTrue(c.client().startsWith("127.0.0.1:"), c.client());
        List<String> labels = c.packets().stream().map(p -> (p.fromClient() ? "> " : "< ") + p.label()).toList();
        assertEquals(List.of("> SYN seq 0", "< SYN-ACK seq 0 ack 1", "> ACK seq 1 ack 1", "> PSH-ACK seq 1:6 ack 1 (5 B)",
                "< ACK seq 1 ack 6", "> FIN-ACK seq 6 ack 1", "< FIN-ACK seq 1 ack 7", "> ACK seq 7 ack 2"), labels);
        assertEquals(0, c.packets().get(0).seconds());
        for (int i = 1; i < c.packets().size(); i++) {
            double t = c.packets().get(i).seconds();
            assertTrue(t >= c.packets().get(i - 1).seconds() && t < 0.01, "times since the first segment, in order: " + t);
        }
    }

    @Test
    void aMissingEmptyOrForeignCaptureSaysWhy(@TempDir Path dir) throws IOException {
        assertEquals("no capture: x.pcap is missing", Packets.read(dir.resolve("x.pcap"), 7000).problem());
        assertEquals("", Packets.read(dir.resolve("x.pcap"), 7000).claimNote(), "a run recorded before captures took none: its claims say nothing");
        Files.writeString(dir.resolve("y.tcpdump.log"), "no capture: `tcpdump` is not installed\n");
        assertEquals("no capture: `tcpdump` is not installed", Packets.read(dir.resolve("y.pcap"), 7000).problem());
        assertEquals(" Ladder: no capture: `tcpdump` is not installed.", Packets.read(dir.resolve("y.pcap"), 7000).claimNote());
        assertEquals("", Packets.read(FIXTURE, 7000).claimNote());
        Files.createFile(dir.resolve("e.pcap"));
        assertEquals("no capture: e.pcap is empty", Packets.read(dir.resolve("e.pcap"), 7000).problem());
        assertFalse(Packets.read(FIXTURE, 7001).captured(), "no segment of another port");
        Files.write(dir.resolve("junk.pcap"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertTrue(Packets.read(dir.resolve("junk.pcap"), 7000).problem().startsWith("no capture: junk.pcap cannot be read"));
    }

    @Test
    void timesReadAsMillisecondsOrSeconds() {
        assertEquals("0.058 ms", Packets.time(0.000058));
        assertEquals("1.003 s", Packets.time(1.0031));
    }
}
