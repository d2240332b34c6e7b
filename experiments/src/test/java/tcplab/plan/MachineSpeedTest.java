package tcplab.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;

/** The estimate's machine factor: only the work parts scale, never the waits or the measuring time, and never the bounds. */
class MachineSpeedTest {
    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void atTheReference() {
        MachineSpeed.use(1, null);
    }

    private List<Configuration> plan(String json) throws Exception {
        BenchmarkCatalog catalog = BenchmarkCatalog.load();
        return PlanLoader.expand(PlanLoader.load(Cli.write(dir, "plan.json", json), catalog), catalog);
    }

    @Test
    void theFactorIsTheProbeOverTheReferenceWithinItsLimits() {
        assertEquals(1.0, MachineSpeed.factorFor(MachineSpeed.REFERENCE), 1e-9);
        assertEquals(0.6, MachineSpeed.factorFor(Duration.ofMillis(300)), 1e-9);
        assertEquals(2.0, MachineSpeed.factorFor(Duration.ofMillis(1000)), 1e-9);
        assertEquals(MachineSpeed.MIN, MachineSpeed.factorFor(Duration.ofMillis(1)), 1e-9);
        assertEquals(MachineSpeed.MAX, MachineSpeed.factorFor(Duration.ofSeconds(60)), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> MachineSpeed.use(0));
        assertThrows(IllegalArgumentException.class, () -> MachineSpeed.use(Double.NaN));
    }

    @Test
    void onlyTheWorkPartsScale() throws Exception {
        List<Configuration> c = plan("""
                {"description": "speed", "jmh": {"forks": 2, "warmupIterations": 1, "warmupTime": "1s", "iterations": 2, "time": "2s"},
                 "benchmarks": [{"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt"], "paths": ["veth"],
                                 "params": {"closeMode": ["CLIENT_RST"], "reuseAddr": ["false"], "exchange": ["NONE"]}}],
                 "experiments": [{"experiment": "port-exhaustion", "params": {"seconds": ["10"]}},
                                 {"experiment": "time-wait-lifetime", "params": {"watch": ["30"]}}]}
                """);
        Configuration bench = c.get(0);
        Configuration rate = c.get(1);
        Configuration timer = c.get(2);
        Duration benchAt1 = bench.expected();
        Duration rateAt1 = rate.expected();
        Duration timerAt1 = timer.expected();
        Duration benchBound = bench.bound();
        Duration rateBound = rate.bound();

        MachineSpeed.use(2);
        // a benchmark: 2 forks x (1 x 1 s + 2 x 2 s) of iterations stay; setup and forks' start-ups double
        Duration measuring = Duration.ofSeconds(10);
        Duration benchWork = BenchmarkConfiguration.SETUP_OVERHEAD.plus(BenchmarkConfiguration.FORK_OVERHEAD.multipliedBy(2));
        assertEquals(measuring.plus(benchWork), benchAt1);
        assertEquals(measuring.plus(benchWork.multipliedBy(2)), bench.expected());
        // a rate over a fixed 10 s: the 10 s stay, its JVMs' start-ups and the setup double
        Duration rateWork = rateAt1.minusSeconds(10);
        assertEquals(Duration.ofSeconds(10).plus(rateWork.multipliedBy(2)), rate.expected());
        // a timer-bound one: its wait stays, only the setup doubles (its start-ups are the schedule's)
        assertEquals(timerAt1.plus(ExperimentConfiguration.SETUP_OVERHEAD), timer.expected());
        // a bound never follows the probe down or up
        assertEquals(benchBound, bench.bound());
        assertEquals(rateBound, rate.bound());

        MachineSpeed.use(0.5);
        assertTrue(bench.expected().compareTo(benchAt1) < 0 && bench.expected().compareTo(measuring) > 0);
    }

    @Test
    void theProbesCpuIsMeasuredFromReapedChildrenOrElseTheReferencesScaled() throws Exception {
        assertEquals(MachineSpeed.REFERENCE_CPU, MachineSpeed.probeCpu());
        MachineSpeed.use(0.5, Duration.ZERO);
        assertEquals(MachineSpeed.REFERENCE_CPU.dividedBy(2), MachineSpeed.probeCpu(), "none given: the reference's, scaled");
        MachineSpeed.use(0.5, Duration.ofMillis(420));
        assertEquals(Duration.ofMillis(420), MachineSpeed.probeCpu());
        assertTrue(MachineSpeed.probeCpuMeasured());

        // the real /proc/self/stat: a child that spins about 0.2 s of CPU and is reaped shows in it
        long before = MachineSpeed.childrenCpuMillis();
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the spinning child ends");
        long after = MachineSpeed.childrenCpuMillis();
        assertTrue(before >= 0, "read /proc/self/stat");
        assertTrue(after - before >= 10, "a reaped child's CPU is counted: " + before + " then " + after + " ms");
    }
}
