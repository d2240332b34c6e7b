package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.experiment.Pace;
import tcplab.plan.BenchmarkCatalog;
import tcplab.plan.Configuration;
import tcplab.plan.PlanLoader;
import tcplab.testing.Cli;

/** The schedule as a pure function of the plan: what goes side by side, in which order, and how long it should take. */
class ScheduleTest {
    @TempDir
    Path dir;

    private List<Configuration> plan(String json) throws Exception {
        BenchmarkCatalog catalog = BenchmarkCatalog.load();
        return PlanLoader.expand(PlanLoader.load(Cli.write(dir, "plan.json", json), catalog), catalog);
    }

    private static final String MIXED = """
            {"description": "mixed", "jmh": {"forks": 1, "warmupIterations": 0, "iterations": 1, "time": "1s"},
             "benchmarks": [{"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt"], "paths": ["veth"],
                             "params": {"closeMode": ["CLIENT_RST"], "reuseAddr": ["false"], "exchange": ["NONE"]}}],
             "experiments": [
               {"experiment": "time-wait-scale", "params": {"connections": ["100"]}},
               {"experiment": "stuck-write", "sysctls": {"net.ipv4.tcp_retries2": ["1", "3"]}},
               {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["1"]}}]}
            """;

    @Test
    void timerBoundOnesGoFirstLongestFirstThenTheRestAloneInPlanOrder() throws Exception {
        List<Configuration> all = plan(MIXED);
        Schedule s = Schedule.of(all, 4);
        assertEquals(List.of("stuck-write", "connect-timeout", "stuck-write"), s.timerBound().stream().map(Configuration::name).toList());
        assertTrue(s.timerBound().get(0).expected().compareTo(s.timerBound().get(1).expected()) >= 0, "longest first");
        assertEquals(List.of("ConnectCloseBenchmark", "time-wait-scale"), s.cpuBound().stream().map(Configuration::name).toList());
        assertEquals(s.order().size(), all.size());

        Schedule alone = Schedule.of(all, 1);
        assertEquals(all, alone.order(), "one slot: the plan's order, nothing side by side");
        Duration sum = all.stream().map(Configuration::expected).reduce(Duration.ZERO, Duration::plus);
        assertEquals(sum, alone.expected());
        // side by side the timer-bound ones take their longest (or their start-ups' CPU), not their sum
        Duration timerSum = s.timerBound().stream().map(Configuration::expected).reduce(Duration.ZERO, Duration::plus);
        assertEquals(sum.minus(timerSum).plus(Schedule.timerWall(List.of(), s.timerBound().stream().map(Configuration::expected).toList(), 4)),
                s.expected());
        assertTrue(s.expected().compareTo(alone.expected()) < 0);
    }

    @Test
    void makespanPutsEachOnTheSlotThatFreesFirst() {
        assertEquals(Duration.ofSeconds(10), Schedule.makespan(List.of(), List.of(sec(10), sec(5), sec(5)), 2));
        assertEquals(Duration.ofSeconds(6), Schedule.makespan(List.of(), List.of(sec(3), sec(3), sec(3), sec(3)), 2));
        assertEquals(Duration.ofSeconds(9), Schedule.makespan(List.of(), List.of(sec(3), sec(3), sec(3)), 1));
        // slots already busy: what runs now finishes first
        assertEquals(Duration.ofSeconds(7), Schedule.makespan(List.of(sec(4), sec(1)), List.of(sec(3), sec(3)), 2));
        assertEquals(Duration.ZERO, Schedule.makespan(List.of(), List.of(), 3));
    }

    @Test
    void sideBySideStartUpsShareTheCores() {
        // no start-up CPU: the slots alone decide, as makespan has it
        assertEquals(sec(10), Schedule.shared(List.of(), List.of(sec(10), sec(5), sec(5)), 2, Duration.ZERO, 2));
        // nothing but CPU: one core does them one after another, two in half the time, whatever the slots
        assertEquals(sec(9), Schedule.shared(List.of(), List.of(sec(3), sec(3), sec(3)), 3, sec(3), 1));
        assertEquals(sec(9), Schedule.shared(List.of(), List.of(sec(3), sec(3), sec(3), sec(3), sec(3), sec(3)), 6, sec(3), 2));
        // two of 1 s CPU then 9 s waiting on one core: both start-ups take 2 s, then both wait 9 s;
        // neither the makespan (10 s) nor the CPU (2 s) alone gives that
        assertEquals(sec(11), Schedule.shared(List.of(), List.of(sec(10), sec(10)), 2, sec(1), 1));
        // a busy one is past its start-ups: it takes no core from the one starting beside it
        assertEquals(sec(4), Schedule.shared(List.of(sec(4)), List.of(sec(1)), 2, sec(1), 1));
        // a third one waits for a slot, then starts alone: 2 s sharing, 9 s waiting, then 1 s CPU and 9 s waiting
        assertEquals(sec(21), Schedule.shared(List.of(), List.of(sec(10), sec(10), sec(10)), 2, sec(1), 1));
        // one slot: the plan's sum, whatever the CPU
        assertEquals(sec(20), Schedule.timerWall(List.of(), List.of(sec(10), sec(10)), 1));
    }

    @Test
    void ratesAndWhatNeighboursMoveRunAlone() throws Exception {
        List<Configuration> c = plan("""
                {"description": "alone", "experiments": [
                  {"experiment": "port-exhaustion", "params": {"closeMode": ["CLIENT_FIN"]}, "sysctls": {"net.ipv4.tcp_tw_reuse": ["0", "1"]}},
                  {"experiment": "listen-port-collision"}, {"experiment": "simultaneous-close"}, {"experiment": "port-range-cost"},
                  {"experiment": "dead-peer"}]}
                """);
        Schedule s = Schedule.of(c, 6);
        assertEquals(List.of("dead-peer"), s.timerBound().stream().map(Configuration::name).toList());
        for (Configuration x : s.cpuBound()) {
            assertEquals(Pace.CPU, x.pace(), x.id());
        }
    }

    @Test
    void slotsAreCutToWhatMemoryAndLimitsHold() {
        assertEquals(new Schedule.Slots(6, null), Schedule.defaultSlots(6, 64L << 30, 1 << 20, 0));
        assertEquals(Schedule.MAX_SLOTS, Schedule.defaultSlots(100, 0, 0, 0).count());
        Schedule.Slots memory = Schedule.defaultSlots(6, 1L << 30, 1 << 20, 0);
        assertEquals(2, memory.count());
        assertEquals("free memory", memory.limitedBy());
        Schedule.Slots files = Schedule.defaultSlots(6, 64L << 30, 2048, 0);
        assertEquals(2, files.count());
        assertTrue(files.limitedBy().contains("ulimit -n"));
        assertEquals(1, Schedule.defaultSlots(6, 100L << 20, 1 << 20, 0).count(), "never below one");
        assertNull(Schedule.defaultSlots(1, 0, 0, 0).limitedBy());
    }

    @Test
    void everyExperimentDeclaresItsPace() {
        for (tcplab.experiment.Experiment e : tcplab.experiment.ExperimentCatalog.all()) {
            assertTrue(e.pace() != null, e.name());
        }
    }

    private static Duration sec(long s) {
        return Duration.ofSeconds(s);
    }
}
