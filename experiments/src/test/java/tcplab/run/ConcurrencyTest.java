package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * Side by side bends nothing: the same timer-bound configurations (SYN retries and an application
 * timeout, keepalive against a dead peer, TIME_WAIT's and FIN_WAIT_2's lifetimes, a restart's bind
 * retried in TIME_WAIT, a stuck write) run one at a time and then all at once on the real kernel, each
 * in its own namespaces, and every claim row comes out with the same verdict, inside the same band.
 * The tolerance is each row's own band (claims.csv's low and high, stated by the claims code), not one
 * widened for this test.
 */
class ConcurrencyTest {
    @TempDir
    Path dir;

    private static final String PLAN = """
            {"description": "timer-bound claims, alone and side by side",
             "experiments": [
               {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["1"], "net.ipv4.tcp_syn_linear_timeouts": ["0"]}},
               {"experiment": "connect-timeout", "params": {"connectTimeout": ["1200"]}},
               {"experiment": "dead-peer", "params": {"fault": ["DROP"], "keepCount": ["1"], "window": ["4"]},
                "sysctls": {"net.ipv4.tcp_keepalive_time": ["2"], "net.ipv4.tcp_keepalive_intvl": ["1"], "net.ipv4.tcp_keepalive_probes": ["1"]}},
               {"experiment": "time-wait-lifetime", "params": {"sockets": ["10"], "watch": ["3"]}, "sysctls": {"net.ipv4.tcp_fin_timeout": ["2"]}},
               {"experiment": "restart-rebind", "params": {"oldReuse": ["false"], "newReuse": ["false", "true"], "leftover": ["TIME_WAIT"],
                "connections": ["5"], "retry": ["1"]}},
               {"experiment": "stuck-write", "params": {"variant": ["PLAIN"]}, "sysctls": {"net.ipv4.tcp_retries2": ["1"]}}]}
            """;

    @Test
    void timerBoundClaimsComeOutTheSameAloneAndSideBySide() throws Exception {
        Path plan = Cli.write(dir, "timers.json", PLAN);
        Path alone = run(plan, "1", "alone");
        Path together = run(plan, "6", "together");

        // the schedule did what it says: one at a time, then all seven overlapping
        List<Map<String, String>> rowsAlone = Fixtures.csv(alone.resolve("configurations.csv"));
        List<Map<String, String>> rowsTogether = Fixtures.csv(together.resolve("configurations.csv"));
        assertEquals(7, rowsTogether.size());
        for (Map<String, String> r : rowsAlone) {
            assertEquals("timer", r.get("pace"), r.get("id"));
            assertEquals("", r.get("beside"), "alone: " + r.get("id"));
        }
        assertTrue(mostAtOnce(rowsAlone) == 1, "alone, one at a time");
        assertTrue(mostAtOnce(rowsTogether) >= 4, "side by side: " + mostAtOnce(rowsTogether) + " at once");
        for (Map<String, String> r : rowsTogether) {
            assertEquals("ok", r.get("status"), r.toString());
            assertFalse(r.get("beside").isBlank(), "a neighbour is recorded for " + r.get("id"));
        }
        String environment = java.nio.file.Files.readString(together.resolve("report.md"));
        assertTrue(environment.contains("7 timer-bound configurations side by side"), "the report says how they ran");

        Map<String, Map<String, String>> a = claims(alone);
        Map<String, Map<String, String>> b = claims(together);
        assertEquals(a.keySet(), b.keySet(), "the same claim rows");
        assertTrue(a.size() >= 10, "claim rows: " + a.size());
        for (String key : a.keySet()) {
            Map<String, String> x = a.get(key);
            Map<String, String> y = b.get(key);
            assertNotEquals("differs", x.get("verdict"), "alone: " + x);
            assertEquals(x.get("verdict"), y.get("verdict"), key + ": alone " + x.get("measured") + ", side by side " + y.get("measured")
                    + " (band " + y.get("low") + " to " + y.get("high") + ")");
            if (!y.get("low").isEmpty() && !y.get("high").isEmpty()) {
                double measured = Double.parseDouble(y.get("measured"));
                assertTrue(measured >= Double.parseDouble(y.get("low")) - 1e-9 && measured <= Double.parseDouble(y.get("high")) + 1e-9,
                        key + " side by side inside its band: " + y);
            }
        }
    }

    private Path run(Path plan, String parallel, String name) throws Exception {
        Cli.Result r = Cli.run("run", "--plan", plan.toString(), "--parallel", parallel, "--reports", dir.resolve(name).toString());
        assertEquals(0, r.exit(), r.toString());
        return Fixtures.runFolder(r);
    }

    /** claims.csv by claim, configuration (without its index) and metric. */
    private static Map<String, Map<String, String>> claims(Path run) throws Exception {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Map<String, String> r : Fixtures.csv(run.resolve("claims.csv"))) {
            out.put(r.get("claim") + " " + r.get("configuration").replaceFirst("^\\d+-", "") + " " + r.get("metric_id"), r);
        }
        return out;
    }

    /** The most configurations whose [start, start + seconds) overlap one instant (seconds are rounded to 0.1 s: 100 ms of slack). */
    private static int mostAtOnce(List<Map<String, String>> rows) {
        List<long[]> spans = new ArrayList<>();
        for (Map<String, String> r : rows) {
            long start = Instant.parse(r.get("started_utc")).toEpochMilli();
            spans.add(new long[] {start, start + Math.round(Double.parseDouble(r.get("seconds")) * 1000)});
        }
        int most = 0;
        for (long[] s : spans) {
            most = Math.max(most, (int) spans.stream().filter(o -> o[0] <= s[0] && s[0] < o[1] - 100).count());
        }
        return most;
    }
}
