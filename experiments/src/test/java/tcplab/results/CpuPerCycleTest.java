package tcplab.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CPU per cycle from outcomes.csv rows: one JVM's CPU per iteration, shared by its threads' rows. */
class CpuPerCycleTest {
    private static Map<String, String> row(String fork, String thread, String phase, String iteration, long ok, String cpuNs) {
        return cpuNs == null
                ? Map.of("fork_pid", fork, "thread", thread, "mode", "thrpt", "phase", phase, "iteration", iteration, "ok", Long.toString(ok))
                : Map.of("fork_pid", fork, "thread", thread, "mode", "thrpt", "phase", phase, "iteration", iteration, "ok", Long.toString(ok),
                        "cpu_ns", cpuNs);
    }

    @Test
    void twoThreadsShareTheirIterationsCpuAndAddTheirCycles() {
        // iteration 1: the JVM spent 2.0e9 ns (both threads saw about that), 40,000 + 60,000 cycles: 20 µs per cycle
        // iteration 2: 1.0e9 ns over 50,000 cycles; the warmup row is left out
        List<Map<String, String>> rows = List.of(
                row("7", "0", "warmup", "1", 1000, "900000000000"),
                row("7", "0", "measurement", "1", 40_000, "1990000000"),
                row("7", "1", "measurement", "1", 60_000, "2010000000"),
                row("7", "0", "measurement", "2", 20_000, "1000000000"),
                row("7", "1", "measurement", "2", 30_000, "1000000000"));
        assertEquals(3.0e9 / 150_000 / 1000, RunData.cpuMicrosPerCycle(rows, true), 1e-9);
        assertTrue(RunData.cpuMicrosPerCycle(rows, false) > 1000, "with the warmup row it counts that iteration too");
    }

    @Test
    void rowsFromBeforeCpuWasCountedGiveNoNumber() {
        assertTrue(Double.isNaN(RunData.cpuMicrosPerCycle(List.of(row("7", "0", "measurement", "1", 10, null)), true)));
        assertTrue(Double.isNaN(RunData.cpuMicrosPerCycle(List.of(row("7", "0", "measurement", "1", 0, "5000")), true)),
                "no complete cycle: no CPU per cycle");
    }

    @Test
    void theServersCpuIsPerConnectionItAcceptedOrPerRequestOnAKeptConnection() {
        assertEquals(12.0, server(Map.of("accepted", "50000", "answered", "0", "cpu_ms", "600")).serverCpuMicrosPerCycle(), 1e-9);
        assertEquals(12.0, server(Map.of("accepted", "50000", "answered", "50000", "cpu_ms", "600")).serverCpuMicrosPerCycle(), 1e-9,
                "a request per connection: still per connection");
        assertEquals(6.0, server(Map.of("accepted", "1", "answered", "100000", "cpu_ms", "600")).serverCpuMicrosPerCycle(), 1e-9,
                "one kept-alive connection: per request, not 600 ms for its one connection");
        assertTrue(Double.isNaN(server(Map.of("accepted", "5")).serverCpuMicrosPerCycle()), "a run from before cpu_ms");
    }

    private static RunData.Result server(Map<String, String> lastRow) {
        return new RunData.Result(Map.of(), Map.of(), Map.of(), Map.of(), null, List.of(), lastRow);
    }
}
