package tcplab.experiment.timewait.portexhaustion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.ExperimentData;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.testing.Fixtures;

/**
 * C3's claim at the default range (32768-60999, 75 s, veth, no reuse), from a recorded run folder
 * (src/test/resources/fixtures/port-exhaustion-default-range, recorded on 2026-12-01 on Linux 6.18):
 * its claims change in seconds without the kernel. The recorded machine filled the range in 21 s;
 * a slower one, where connect()'s scan of the held ports allows only 150 connections a second
 * (as seen on another day of this 2-core VM), cannot fill it before the first TIME_WAIT expires.
 */
class PortExhaustionClaimsTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/port-exhaustion-default-range");
    private static final String SECONDS = "raw/01-port-exhaustion-veth-closeMode=CLIENT_FIN-seconds=75-tcp_tw_reuse=0-r1.seconds.csv";

    @TempDir
    Path dir;

    private Claim window(Path run) throws IOException {
        RunData data = RunData.load(new RunFolder(run));
        Experiment experiment = ExperimentCatalog.find("port-exhaustion");
        List<Claim> claims = experiment.claims(new ExperimentData(data, experiment, Files.createDirectories(dir.resolve("charts"))));
        List<Claim> windows = claims.stream().filter(c -> c.metric().id().equals("max_connections_per_60s_window")).toList();
        assertEquals(1, windows.size(), claims.toString());
        return windows.get(0);
    }

    private Path copy() throws IOException {
        return Fixtures.copyTree(FIXTURE, dir.resolve("run"));
    }

    @Test
    void aMachineThatFillsTheRangeWithinTheMinuteReachesThePortsCeiling() throws Exception {
        Claim c = window(copy());
        assertEquals(28232, c.modelValue(), "N ports per 60 s: " + c);
        assertEquals(Claim.Verdict.AGREES, c.verdict(), c.toString());
        assertTrue(c.explanation().contains("enough to fill the range before the first TIME_WAIT socket expired"), c.explanation());
        assertEquals("", c.horizon(), "75 s: past the first expiry, the refill was seen");
    }

    @Test
    void aScanLimitedMachineIsModelledWithItsScanRateNotTheFolkloreCeiling() throws Exception {
        Path run = copy();
        // the first parity's 14,116 ports in the first second, then the scan-limited 150 a second
        List<String> lines = new ArrayList<>(Files.readAllLines(run.resolve(SECONDS)).subList(0, 1));
        long timeWait = 0;
        for (int second = 1; second <= 75; second++) {
            long ok = second == 1 ? 14116 : 150;
            timeWait += ok;
            lines.add(second + "," + ok + ",0,0,0,0,0," + Math.min(timeWait, 28232) + ",9,15,1506,6335");
        }
        Files.write(run.resolve(SECONDS), lines);
        Claim c = window(run);
        assertEquals(14116 + 150 * 59, c.modelValue(), 1, "the first parity plus 59 s at the scan-limited rate: " + c);
        assertEquals(14116 + 150 * 59, c.measuredValue(), 1, c.toString());
        assertEquals(Claim.Verdict.AGREES, c.verdict(), "agrees for the right reason: " + c);
        assertTrue(c.explanation().contains("too slow to fill the range"), c.explanation());
        assertTrue(c.high() < 28232 * 0.98, "the folklore's ceiling is outside the band: " + c);
    }
}
