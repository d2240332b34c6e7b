package tcplab.nativecompare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.lab.LabLauncher;
import tcplab.results.RunFolder;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * compare-native against the real kernel: the stack comparison (the C client with 2 threads and a
 * request against the C server; ConnectCloseBenchmark with the same against the tcplab server
 * answering), two rounds of 1 s after 1 s of warmup, each measurement in fresh namespaces (16 s in all). How fast each is goes in docs/benchmarks.md, not here; this checks
 * that both contenders were measured, in alternating order, with both sides' CPU per cycle, and
 * that each client's count of its connections matches its server's.
 */
class NativeComparisonTest {
    private static final Pattern ALL = Pattern.compile("all=(\\d+)");
    private static final Pattern ACCEPTED = Pattern.compile("accepted=(\\d+) resets=\\d+ errors=(\\d+)");

    @TempDir
    Path dir;

    @Test
    void measuresBothContendersOfEachComparisonInAlternatingRoundsAndDrawsFromTheRowsAlone() throws Exception {
        assumeTrue(LabLauncher.findOnPath("gcc") != null, "compare-native builds its C client and server with gcc");
        Cli.Result r = Cli.run("compare-native", "--sides", "stack", "--close-modes", "CLIENT_RST", "--threads", "2",
                "--rounds", "2", "--warmup", "1", "--seconds", "1", "--reports", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        Path folder = Fixtures.runFolder(r);
        List<Map<String, String>> rows = Fixtures.csv(folder.resolve(NativeComparison.CSV));
        assertEquals(List.of("stack:c", "stack:tcplab", "stack:tcplab", "stack:c"),
                rows.stream().map(x -> x.get("side") + ":" + x.get("contender")).toList(), "each round alternates which goes first");
        for (Map<String, String> row : rows) {
            assertTrue(Double.parseDouble(row.get("ok_per_s")) > 100, row.toString());
            assertEquals("0", row.get("failed"), row.toString());
            assertEquals("2", row.get("threads"), row.toString());
            // every row has both sides' CPU: the C client counts its own, ConnectCloseBenchmark's JVM its own (outcomes.csv),
            // and the server's is read from /proc
            double client = Double.parseDouble(row.get("client_cpu_us_per_cycle"));
            double server = Double.parseDouble(row.get("server_cpu_us_per_cycle"));
            assertTrue(client > 0.5 && client < 5000 && server > 0.5 && server < 5000, "CPU per cycle in µs: " + row);
        }
        // the C server accepted every connection the C client made, warmup included (a cycle still in flight at the end at most per thread)
        for (String round : List.of("1", "2")) {
            String id = "raw/stack-rst-t2-c-r" + round;
            long made = group(ALL, Files.readString(folder.resolve(id + ".client.log")), 1);
            String server = Files.readString(folder.resolve(id + ".server.log"));
            long accepted = group(ACCEPTED, server, 1);
            assertTrue(Math.abs(accepted - made) <= 2, "accepted " + accepted + ", made " + made + ": " + server);
            assertEquals(0, group(ACCEPTED, server, 2), server);
        }
        // and the tcplab server accepted every cycle ConnectCloseBenchmark completed, warmup included: the CPU's denominators agree
        for (String round : List.of("1", "2")) {
            String id = "raw/stack-rst-t2-tcplab-r" + round;
            long completed = Fixtures.csv(folder.resolve(id + ".outcomes.csv")).stream().mapToLong(o -> Long.parseLong(o.get("ok"))).sum();
            List<Map<String, String>> counters = Fixtures.csv(folder.resolve(id + ".server.csv"));
            long accepted = Long.parseLong(counters.get(counters.size() - 1).get("accepted"));
            assertTrue(completed > 0 && accepted >= completed && accepted - completed <= 4, "accepted " + accepted + ", completed " + completed);
        }
        String summary = Files.readString(folder.resolve(NativeComparison.SUMMARY));
        assertTrue(summary.contains("| stack, RST, 2 threads |"), summary);
        assertTrue(Files.size(folder.resolve(RatioChart.NAME + ".png")) > 10_000, "the chart is drawn");
        // redrawn from native-comparison.csv alone, the summary is the same
        Files.delete(folder.resolve(NativeComparison.SUMMARY));
        NativeComparison.draw(new RunFolder(folder));
        assertEquals(summary, Files.readString(folder.resolve(NativeComparison.SUMMARY)));
    }

    private static long group(Pattern p, String text, int group) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in " + text);
        return Long.parseLong(m.group(group));
    }
}
