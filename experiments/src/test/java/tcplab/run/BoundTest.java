package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;

/**
 * A configuration that outlives its hard bound is stopped at the bound, its processes killed and
 * reaped, and reported as timed out; the run goes on with the next one. The plan's "bound" cuts a
 * 60 s TIME_WAIT watch to 3 s.
 */
class BoundTest {
    @TempDir
    Path dir;

    @Test
    void aConfigurationPastItsBoundIsStoppedReportedAndTheRunGoesOn() throws Exception {
        Path plan = Cli.write(dir, "bounded.json", """
                {"description": "a watch far longer than its bound, then a short experiment",
                 "experiments": [
                   {"experiment": "time-wait-lifetime", "params": {"sockets": ["2"], "watch": ["60"]}, "bound": "3s"},
                   {"experiment": "simultaneous-close", "params": {"pairs": ["2"]}}
                 ]}""");
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run(Duration.ofMinutes(2), Map.of(), List.of(), System.getProperty("java.class.path"),
                "run", "--profile", "baseline", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.exit(), "a configuration did not finish: " + r);
        assertTrue(seconds < 40, "the 60 s watch was not waited for: " + seconds + " s");
        List<Map<String, String>> rows = Fixtures.csv(Fixtures.runFolder(r).resolve("configurations.csv"));
        assertEquals("timeout", rows.get(0).get("status"), rows.toString());
        assertTrue(rows.get(0).get("message").contains("stopped after 0:03"), rows.toString());
        double took = Double.parseDouble(rows.get(0).get("seconds"));
        assertTrue(took >= 3 && took < 10, "stopped at the bound: " + took + " s");
        assertEquals("ok", rows.get(1).get("status"), "the run went on: " + rows);
        assertEquals(List.of(), HostState.processesWith(Cli.MARKER), "every process reaped");
    }
}
