package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.lab.LabLauncher;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * compare-native measures both clients on the same path, round by round. How fast they are is
 * reported by the tool (see the README), not asserted here; this checks that it measures both.
 */
class NativeComparisonTest {
    @TempDir
    Path dir;

    @Test
    void measuresTheBenchmarkAndTheNativeClientInAlternatingRounds() throws Exception {
        assumeTrue(LabLauncher.findOnPath("gcc") != null, "compare-native builds its C client with gcc");
        Cli.Result r = Cli.run("compare-native", "--rounds", "2", "--seconds", "1", "--reports", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        Path folder = Fixtures.runFolder(r);
        List<Map<String, String>> rows = Fixtures.csv(folder.resolve("native-comparison.csv"));
        assertEquals(List.of("native", "jmh", "jmh", "native"), rows.stream().map(x -> x.get("client")).toList(), "order alternates");
        for (Map<String, String> row : rows) {
            assertTrue(Double.parseDouble(row.get("ok_per_s")) > 100, row.toString());
            assertEquals("0", row.get("failed"), row.toString());
        }
        assertTrue(Files.readString(folder.resolve("summary.txt")).contains("ratio"), "the summary gives the ratio");
    }
}
