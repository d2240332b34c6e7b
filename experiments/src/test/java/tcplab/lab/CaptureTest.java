package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tcplab.profile.ProfileParser;
import tcplab.results.Packets;
import tcplab.server.ClosePolicy;

/**
 * tcpdump in a lab host on the real kernel: a short exchange read back segment by segment, the
 * packet limit kept, the time bound kept by a capture nobody stops, and no tcpdump left after.
 */
@Timeout(60)
class CaptureTest {
    private static final String SERVER = Lab.SERVER_ADDRESS;

    @Test
    void capturesAnExchangeInsideTheLabAndLeavesNoTcpdump(@TempDir Path dir) throws Exception {
        assumeTrue(LabLauncher.isRoot(), "the lab's namespaces need root here");
        assumeTrue(LabLauncher.findOnPath("tcpdump") != null, "tcpdump is missing (make test-prereqs installs it)");
        Path pcap = dir.resolve("c.pcap");
        Path limited = dir.resolve("limited.pcap");
        Path forgotten = dir.resolve("forgotten.pcap");
        try (Lab lab = Lab.create(ProfileParser.parse(Path.of(System.getProperty("tcplab.home"), "sysctl-profiles", "baseline.conf")));
             ServerProcess server = ServerProcess.start(lab.server(), SERVER, ClosePolicy.READ_UNTIL_EOF, Duration.ofSeconds(40),
                     dir.resolve("server.csv"), dir.resolve("server.log"))) {
            Capture never = Capture.start(lab.client(), "tcp port 7009", 10, Duration.ofSeconds(1), forgotten, dir.resolve("forgotten.log"));
            try (Capture capture = Capture.start(lab.client(), "tcp and (port 7000 or port 7001)", 40, Duration.ofSeconds(20), pcap,
                    dir.resolve("c.log"));
                 Capture three = Capture.start(lab.server(), "tcp port 7000", 3, Duration.ofSeconds(20), limited, dir.resolve("l.log"))) {
                // one connection that sends a byte and closes with a FIN; one to a port nobody listens on, refused with an RST
                lab.client().exec("bash", "-c", "exec 3<>/dev/tcp/" + SERVER + "/7000; printf x >&3; exec 3>&-; sleep 0.3;"
                        + " (exec 4<>/dev/tcp/" + SERVER + "/7001) 2>/dev/null; sleep 0.1; true");
            }
            Packets.Connection c = Packets.read(pcap, 7000);
            assertTrue(c.captured(), c.problem());
            List<String> seen = c.packets().stream().map(p -> (p.fromClient() ? "> " : "< ") + p.flagsText()).toList();
            assertEquals(List.of("> SYN", "< SYN-ACK", "> ACK", "> PSH-ACK"), seen.subList(0, 4), seen.toString());
            assertTrue(seen.contains("> FIN-ACK") && seen.contains("< FIN-ACK"), "both FINs, each its way: " + seen);
            assertTrue(c.server().equals(SERVER + ":7000") && c.client().startsWith(Lab.CLIENT_ADDRESS + ":"), c.toString());
            List<String> refused = Packets.read(pcap, 7001).packets().stream().map(p -> (p.fromClient() ? "> " : "< ") + p.flagsText()).toList();
            assertEquals(List.of("> SYN", "< RST-ACK"), refused);
            assertEquals(3, Packets.read(limited, 7000).packets().size(), "-c 3 keeps three packets, taken in the server host");

            assertThrows(LabException.class, () -> Capture.start(LabHost.here(), "tcp", 1, Duration.ofSeconds(1), dir.resolve("no.pcap"),
                    dir.resolve("no.log")), "never on this machine's own interfaces");
            long until = System.currentTimeMillis() + 5000;
            while (!tcpdumps(dir).isEmpty() && System.currentTimeMillis() < until) {
                Thread.sleep(100); // the forgotten capture ends at its own 1 s bound
            }
            assertEquals(List.of(), tcpdumps(dir), "no tcpdump left, not even the one nobody stopped");
            never.close();
        }
    }

    /** tcpdump processes writing into {@code dir}. */
    private static List<Long> tcpdumps(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("tcpdump")
                && p.info().commandLine().orElse("").contains(dir.toString())).map(ProcessHandle::pid).toList();
    }
}
