package tcplab.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tcplab.testing.Cli;

/** Plans as data: every shipped plan loads, and every kind of bad plan is refused with its place named. */
class PlanLoaderTest {
    private static final BenchmarkCatalog CATALOG = BenchmarkCatalog.load();

    @TempDir
    Path dir;

    @Test
    void catalogHasTheBenchmarksAndTheirDeclaredParameters() {
        BenchmarkCatalog.Benchmark cc = CATALOG.find("ConnectCloseBenchmark");
        assertEquals(List.of("CLIENT_FIN", "SERVER_FIN", "CLIENT_RST", "CLIENT_LINGER"), cc.params().get("closeMode"));
        assertEquals(List.of("false", "true"), cc.params().get("reuseAddr"));
        assertEquals(List.of("NONE", "REQUEST"), cc.params().get("exchange"));
        assertTrue(cc.params().containsKey("target") && cc.params().containsKey("profile"));
        assertEquals(List.of("NEW_CONNECTION", "KEEP_ALIVE"), CATALOG.find("ConnectionReuseBenchmark").params().get("style"));
    }

    @Test
    void everyShippedPlanLoadsAndExpands() throws Exception {
        List<Path> plans;
        try (Stream<Path> files = Files.list(Cli.HOME.resolve("experiments/plans"))) {
            plans = files.filter(f -> f.toString().endsWith(".json")).toList();
        }
        assertTrue(plans.stream().anyMatch(p -> p.endsWith("quick.json")) && plans.stream().anyMatch(p -> p.endsWith("full.json")));
        for (Path file : plans) {
            List<Configuration> configurations = PlanLoader.expand(PlanLoader.load(file, CATALOG), CATALOG);
            assertTrue(!configurations.isEmpty(), file.toString());
            for (Configuration c : configurations) {
                if (c instanceof BenchmarkConfiguration b && b.benchmark().params().containsKey("closeMode")) {
                    assertTrue(c.params().containsKey("closeMode"), "every configuration pins its close mode: " + c.id());
                }
            }
            assertEquals(configurations.size(), configurations.stream().map(Configuration::id).distinct().count(), "ids are unique");
        }
    }

    @Test
    void quickPlanExpectsAboutThreeMinutes() throws Exception {
        Plan quick = PlanLoader.load(Cli.HOME.resolve("experiments/plans/quick.json"), CATALOG);
        Duration total = PlanLoader.expand(quick, CATALOG).stream().map(Configuration::expected).reduce(Duration.ZERO, Duration::plus);
        // the sum, not the wall time (timer-bound ones run side by side): 3 min 41 s with the overheads measured
        // on a 2 GHz Xeon (a benchmark's JVMs and namespaces about 2.8 s); 4 min leaves room for a small addition, not a new sweep
        assertTrue(total.compareTo(Duration.ofMinutes(4)) < 0, "quick plan expects " + total);
    }

    @Test
    void expandsTheCrossProductAndSweepsChoicesThePlanLeavesOut() throws Exception {
        Path file = Cli.write(dir, "p.json", """
                {"jmh": {"threads": [1, 2]}, "repetitions": 2, "benchmarks": [
                  {"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt"], "paths": ["veth", "loopback"],
                   "params": {"closeMode": ["CLIENT_FIN", "CLIENT_RST"], "lingerSeconds": ["3"]}}]}""");
        List<Configuration> all = PlanLoader.expand(PlanLoader.load(file, CATALOG), CATALOG);
        // 2 repetitions x 2 paths x 2 thread counts x 2 close modes x reuseAddr {false,true} x exchange {NONE,REQUEST}
        assertEquals(2 * 2 * 2 * 2 * 2 * 2, all.size());
        BenchmarkConfiguration first = (BenchmarkConfiguration) all.get(0);
        assertEquals(Map.of("closeMode", "CLIENT_FIN", "reuseAddr", "false", "exchange", "NONE", "lingerSeconds", "3"), first.params());
        assertTrue(first.jmhArgs("baseline", "x.json").containsAll(List.of("-p", "closeMode=CLIENT_FIN", "profile=baseline", "-bm", "thrpt")));
        assertTrue(first.id().startsWith("01-ConnectCloseBenchmark-thrpt-veth-t1-"), first.id());
        assertTrue(first.id().endsWith("-r1") && all.get(all.size() - 1).id().endsWith("-r2"));
        assertEquals("path=veth;threads=1;closeMode=CLIENT_FIN;reuseAddr=false;exchange=NONE;lingerSeconds=3", first.conditions());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown benchmark  | {\"benchmarks\": [{\"benchmark\": \"NoSuch\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"]}]}                       | unknown benchmark 'NoSuch'",
        "unknown parameter  | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"], \"params\": {\"closeMod\": [\"CLIENT_FIN\"]}}]} | has no parameter 'closeMod'",
        "value not a choice | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"], \"params\": {\"closeMode\": [\"CLIENT_FOO\"]}}]} | 'CLIENT_FOO' is not one of",
        "lab parameter      | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"], \"params\": {\"target\": [\"10.0.0.1:80\"]}}]} | set by the lab",
        "unknown mode       | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"fast\"], \"paths\": [\"veth\"]}]}               | unknown JMH mode 'fast'",
        "unknown path       | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"wifi\"]}]}              | unknown path 'wifi'",
        "no modes           | {\"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"paths\": [\"veth\"]}]}                                       | modes: must list",
        "bad time           | {\"jmh\": {\"time\": \"soon\"}, \"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"]}]} | bad time 'soon'",
        "too many forks     | {\"jmh\": {\"forks\": 99}, \"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"]}]} | forks must be 1 to 20",
        "zero threads       | {\"jmh\": {\"threads\": [0]}, \"benchmarks\": [{\"benchmark\": \"ConnectCloseBenchmark\", \"modes\": [\"thrpt\"], \"paths\": [\"veth\"]}]} | each must be 1 to 256",
        "repetitions        | {\"repetitions\": 0, \"benchmarks\": []}                                                                                   | repetitions must be 1 to 100",
        "no benchmarks      | {\"benchmarks\": []}                                                                                                       | lists no benchmarks and no experiments",
        "unknown field      | {\"benchmark\": []}                                                                                                        | Unrecognized field \"benchmark\"",
        "not json           | benchmarks: yes                                                                                                            | Unrecognized token",
        "unknown experiment | {\"experiments\": [{\"experiment\": \"time-travel\"}]}                                                                   | unknown experiment 'time-travel'",
        "experiment param   | {\"experiments\": [{\"experiment\": \"port-exhaustion\", \"params\": {\"secs\": [\"3\"]}}]}                          | has no parameter 'secs'",
        "param out of range | {\"experiments\": [{\"experiment\": \"port-exhaustion\", \"params\": {\"seconds\": [\"0\"]}}]}                       | out of range 1 to 3600",
        "path not supported | {\"experiments\": [{\"experiment\": \"time-wait-scale\", \"paths\": [\"loopback\"]}]}                              | runs on [veth], not loopback",
        "host-wide sweep    | {\"experiments\": [{\"experiment\": \"simultaneous-close\", \"sysctls\": {\"vm.swappiness\": [\"1\"]}}]}            | only per-namespace net.* sysctls",
        "unknown sysctl     | {\"experiments\": [{\"experiment\": \"simultaneous-close\", \"sysctls\": {\"net.ipv4.tcp_tw_reuze\": [\"1\"]}}]}    | no such sysctl",
        "entry repetitions  | {\"experiments\": [{\"experiment\": \"simultaneous-close\", \"repetitions\": 3}]}                                      | asks for 3 repetitions but the plan runs 1",
    })
    void refusesABadPlanNamingTheFileAndPlace(String what, String json, String expected) throws Exception {
        Path file = Cli.write(dir, "bad.json", json);
        PlanException e = assertThrows(PlanException.class, () -> PlanLoader.load(file, CATALOG), what);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }

    @Test
    void expandsExperimentsWithTheirSweptSysctlsRecordedAsOverrides() throws Exception {
        Path file = Cli.write(dir, "e.json", """
                {"repetitions": 2, "experiments": [
                  {"experiment": "port-exhaustion", "paths": ["veth", "loopback"], "params": {"closeMode": ["CLIENT_FIN"]},
                   "sysctls": {"net.ipv4.tcp_tw_reuse": ["0", "1"]}},
                  {"experiment": "simultaneous-close", "repetitions": 1}]}""");
        List<Configuration> all = PlanLoader.expand(PlanLoader.load(file, CATALOG), CATALOG);
        assertEquals(2 * 2 * 2 + 1, all.size(), "the entry with one repetition runs once");
        ExperimentConfiguration first = (ExperimentConfiguration) all.get(0);
        assertEquals(Map.of("net.ipv4.tcp_tw_reuse", "0"), first.sysctls());
        assertEquals("01-port-exhaustion-veth-closeMode=CLIENT_FIN-tcp_tw_reuse=0-r1", first.id());
        assertEquals("path=veth;closeMode=CLIENT_FIN;net.ipv4.tcp_tw_reuse=0", first.conditions());
        assertEquals("10", first.resolved().get("seconds"), "defaults filled in");
        assertEquals("net.ipv4.tcp_tw_reuse=0", first.sysctlConditions());
        assertEquals(2, PlanLoader.sweptSysctls(PlanLoader.load(file, CATALOG)).entries().size(), "both values go to the kernel check");
    }

    @Test
    void refusesMissingFilesAndDirectories() {
        assertTrue(assertThrows(PlanException.class, () -> PlanLoader.load(dir.resolve("nope.json"), CATALOG)).getMessage().contains("PLAN=quick"));
        assertTrue(assertThrows(PlanException.class, () -> PlanLoader.load(dir, CATALOG)).getMessage().contains("is a directory"));
    }
}
