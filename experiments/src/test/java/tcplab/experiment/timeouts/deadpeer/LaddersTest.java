package tcplab.experiment.timeouts.deadpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tcplab.chart.Ladder;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;
import tcplab.results.Packets;

/** C11's ladders from two connections captured on the real kernel (the quick plan's settings: keepalive 1 + 1 × 1 s, a 4 s watch). */
class LaddersTest {
    private static final Path PCAPS = Path.of("src/test/resources/fixtures/pcap");

    @Test
    void aStoppedPeersKernelAnswersEveryProbeUntilTheWatchEnds() {
        Packets.Connection c = Ladders.sinceFault(Packets.read(PCAPS.resolve("dead-peer-stop-keepalive.pcap"), DeadPeerExperiment.PORT),
                1796180292117L, 4);
        // the client's FIN when it closed after the watch is left out
        assertTrue(c.packets().stream().allMatch(p -> p.seconds() >= 0 && p.seconds() <= 4), c.packets().toString());
        assertEquals(8, c.packets().size(), "four probes, four answers: " + c.packets());
        assertEquals(0.707, c.packets().get(0).seconds(), 0.001, "the first probe 1 s after the last activity, 0.3 s before the fault");
        List<String> tags = Ladders.tags(c, Mechanism.KEEPALIVE_TUNED).stream().map(Ladder.State::text).toList();
        assertEquals(List.of("probe", "answer", "probe", "answer", "probe", "answer", "probe", "answer"), tags);
    }

    @Test
    void aPingToAHostThatDropsEverythingIsSentAgainAndAgain() {
        Packets.Connection c = Ladders.sinceFault(Packets.read(PCAPS.resolve("dead-peer-drop-heartbeat.pcap"), DeadPeerExperiment.PORT),
                1796180285260L, 4);
        List<String> tags = Ladders.tags(c, Mechanism.HEARTBEAT).stream().map(Ladder.State::text).toList();
        assertEquals("PING", tags.get(0));
        assertTrue(tags.size() > 3 && tags.subList(1, tags.size()).stream().allMatch("PING again"::equals), tags.toString());
    }
}
