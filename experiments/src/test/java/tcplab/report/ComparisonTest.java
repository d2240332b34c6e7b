package tcplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Browser;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * Two real runs of one small plan, under baseline and tw-reuse, compared as a user compares them
 * ({@code tcplab compare baseline tw-reuse}: each profile's latest run); the comparison must carry
 * the runs' own numbers, the ratios between them and the settings that differ, redraw to the same
 * files, and render in a real browser. The runs' and the comparison's HTML are checked in headless
 * Chromium; screenshots go to target/screenshots/ for a person to look at.
 */
class ComparisonTest {
    @TempDir
    static Path dir;

    static Path reports;
    static Map<String, Path> runs = new HashMap<>();
    static Cli.Result compared;
    static Path comparison;

    @BeforeAll
    static void twoRunsAndTheirComparison() throws Exception {
        reports = dir.resolve("reports");
        Path plan = Cli.write(dir, "small.json", """
                {"description": "a benchmark, port exhaustion and a connect timeout",
                 "jmh": {"forks": 1, "warmupIterations": 0, "iterations": 2, "time": "300ms"},
                 "benchmarks": [{"benchmark": "ConnectCloseBenchmark", "modes": ["thrpt", "sample"], "paths": ["veth"],
                                 "params": {"closeMode": ["CLIENT_FIN"], "reuseAddr": ["false"], "exchange": ["NONE"]}}],
                 "experiments": [
                   {"experiment": "port-exhaustion", "params": {"closeMode": ["CLIENT_FIN"], "seconds": ["2"]},
                    "sysctls": {"net.ipv4.ip_local_port_range": ["40000 40499"]}},
                   {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["1"]}}
                 ]}""");
        for (String profile : List.of("baseline", "tw-reuse")) {
            Cli.Result r = Cli.run(Duration.ofMinutes(3), Map.of(), List.of(), System.getProperty("java.class.path"),
                    "run", "--profile", profile, "--plan", plan.toString(), "--reports", reports.toString());
            assertEquals(0, r.exit(), r.toString());
            runs.put(profile, Fixtures.runFolder(r));
        }
        compared = Cli.run("compare", "baseline", "tw-reuse", "--reports", reports.toString());
        assertEquals(0, compared.exit(), compared.toString());
        comparison = Path.of(compared.lastLine()).getParent();
    }

    @Test
    void aComparisonFolderOfItsOwnPointedAtByLatest() throws Exception {
        assertTrue(compared.lastLine().matches(".*/reports/compare/\\d{8}T\\d{6}Z/comparison.html"), compared.lastLine());
        assertEquals(comparison.toRealPath(), reports.resolve("compare/latest").toRealPath());
        for (String file : List.of("comparison.md", "comparison.html", "comparison.csv", "sysctl-differences.csv", "runs.csv")) {
            assertTrue(Files.size(comparison.resolve(file)) > 0, file);
        }
        assertFalse(Files.exists(comparison.resolve(".scratch")), "the scratch charts are gone");
        List<Map<String, String>> listed = Fixtures.csv(comparison.resolve("runs.csv"));
        assertEquals(List.of("baseline", "tw-reuse"), listed.stream().map(r -> r.get("profile")).toList());
        assertEquals(runs.get("baseline").toRealPath().toString(), listed.get(0).get("folder"), "a profile name means its latest run");
        assertEquals("true", listed.get(0).get("baseline"));
    }

    @Test
    void carriesEachRunsOwnNumbersAndTheirRatio() throws Exception {
        List<Map<String, String>> rows = Fixtures.csv(comparison.resolve("comparison.csv"));
        Map<String, Double> rate = new HashMap<>();
        for (Map<String, String> r : rows) {
            if (r.get("section").equals("throughput") && r.get("item").equals("CLIENT_FIN veth")) {
                rate.put(r.get("profile"), Double.parseDouble(r.get("value")));
                if (r.get("profile").equals("baseline")) {
                    assertEquals(1.0, Double.parseDouble(r.get("ratio_to_baseline")), 1e-9, r.toString());
                }
            }
        }
        for (String profile : List.of("baseline", "tw-reuse")) {
            Map<String, String> own = Fixtures.csv(runs.get(profile).resolve("results.csv")).stream()
                    .filter(r -> r.get("mode").equals("thrpt")).findFirst().orElseThrow();
            assertEquals(Double.parseDouble(own.get("ok_per_s")), rate.get(profile), 0.01 * rate.get(profile), profile + " as its own report says");
        }
        Map<String, String> tw = rows.stream().filter(r -> r.get("section").equals("throughput") && r.get("profile").equals("tw-reuse"))
                .findFirst().orElseThrow();
        assertEquals(rate.get("tw-reuse") / rate.get("baseline"), Double.parseDouble(tw.get("ratio_to_baseline")), 0.001);
        for (String metric : List.of("p50 latency", "p99 latency")) {
            assertEquals(2, rows.stream().filter(r -> r.get("metric").equals(metric)).count(), metric);
        }
    }

    @Test
    void matchesClaimsAcrossProfilesAndShowsTheSettingsThatDiffer() throws Exception {
        List<Map<String, String>> claims = Fixtures.csv(comparison.resolve("comparison.csv")).stream()
                .filter(r -> r.get("section").equals("claims")).toList();
        // the connect timeout's conditions name only what the plan set, so both runs share one row
        List<Map<String, String>> timeout = claims.stream().filter(r -> r.get("item").contains("connect-timeout")
                && r.get("item").contains("tcp_syn_retries=1") && r.get("unit").equals("s")).toList();
        assertEquals(List.of("baseline", "tw-reuse"), timeout.stream().map(r -> r.get("profile")).toList(), timeout.toString());
        timeout.forEach(r -> assertEquals("consistent", r.get("verdict"), "tcp_syn_retries = 1 is scaled from 6: " + r));
        // port exhaustion: no reuse on veth under baseline (tcp_tw_reuse = 2 is loopback only), reuse under tw-reuse: another metric
        List<Map<String, String>> exhaustion = claims.stream().filter(r -> r.get("item").startsWith("C4 port-exhaustion")).toList();
        assertEquals(List.of("baseline", "tw-reuse"), exhaustion.stream().map(r -> r.get("profile")).toList(), exhaustion.toString());
        assertEquals("most new connections in any 60 s window", exhaustion.get(0).get("metric"), exhaustion.toString());
        assertTrue(!exhaustion.get(1).get("metric").equals(exhaustion.get(0).get("metric")), exhaustion.toString());

        Map<String, Map<String, String>> differ = new HashMap<>();
        Fixtures.csv(comparison.resolve("sysctl-differences.csv")).forEach(r -> differ.put(r.get("key"), r));
        assertEquals("2", differ.get("net.ipv4.tcp_tw_reuse").get("baseline"));
        assertEquals("1", differ.get("net.ipv4.tcp_tw_reuse").get("tw-reuse"));
        assertFalse(differ.containsKey("net.ipv4.ip_local_port_range"), "the plan's own setting is no difference between profiles");
        assertFalse(differ.containsKey("net.ipv4.tcp_syn_retries"), "the plan set it for one experiment; the profiles agree");

        String md = Files.readString(comparison.resolve("comparison.md"));
        for (String part : List.of("# tcplab comparison: baseline vs tw-reuse", "## Settings that differ", "| `net.ipv4.tcp_tw_reuse` | 2 | 1 |",
                "## Connect/close throughput", "(charts/throughput.png)", "## Port exhaustion over time", "(charts/exhaustion-1.png)",
                "## Timeouts", "## Claims side by side", "make compare RUNS=")) {
            assertTrue(md.contains(part), part + " in\n" + md);
        }
    }

    @Test
    void redrawingGivesTheSameFiles() throws Exception {
        Map<String, String> first = derived(comparison);
        assertTrue(first.keySet().containsAll(List.of("charts/throughput.svg", "charts/latency-p99.svg", "charts/exhaustion-1.svg",
                "charts/timeouts-connect-timeout.svg")), first.keySet().toString());
        Path again = dir.resolve("again");
        Cli.Result redraw = Cli.run("compare", runs.get("baseline").toString(), runs.get("tw-reuse").toString(), "--out", again.toString());
        assertEquals(0, redraw.exit(), redraw.toString());
        Map<String, String> second = derived(again);
        assertEquals(first.keySet(), second.keySet());
        first.forEach((name, text) -> assertEquals(text, second.get(name), name + " is redrawn identically"));
    }

    /** The comparison's text files (PNG encoding may vary in bytes; the SVG of the same chart does not). */
    private static Map<String, String> derived(Path folder) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path f : walk.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".png")).toList()) {
                String name = folder.relativize(f).toString();
                // runs.csv names the folders, which differ only in how they were given; everything else must match
                files.put(name, name.equals("runs.csv") ? "" : Files.readString(f));
            }
        }
        return files;
    }

    @Test
    void badRequestsGetOneLineAndCreateNothing() throws Exception {
        Path empty = dir.resolve("empty-reports");
        Files.createDirectories(empty);
        Map<String[], String> bad = Map.of(
                new String[] {"compare", "baseline"}, "two or more runs",
                new String[] {"compare", "baseline", "no-such-profile"}, "no run of profile 'no-such-profile'",
                new String[] {"compare", "baseline", dir.toString() + "/"}, "is not a run folder",
                new String[] {"compare", "baseline", "tw-reuse", "--baseline", "wide-ports"}, "--baseline wide-ports is none of the compared runs",
                new String[] {"compare", "baseline", "baseline"}, "the same run is named twice");
        for (Map.Entry<String[], String> e : bad.entrySet()) {
            String[] args = Stream.concat(Stream.of(e.getKey()), Stream.of("--reports", reports.toString())).toArray(String[]::new);
            long before = count(reports.resolve("compare"));
            Cli.Result r = Cli.run(args);
            assertEquals(2, r.exit(), r.toString());
            assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
            assertTrue(r.err().contains(e.getValue()) && r.err().contains("fix:"), r.err());
            assertEquals(before, count(reports.resolve("compare")), "nothing created");
        }
    }

    private static long count(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }

    @Test
    void reportsRenderInChromiumWithEveryChartAndNothingOverflowing() throws Exception {
        Path shots = Cli.HOME.resolve("experiments/target/screenshots");
        Files.createDirectories(shots);
        Map<String, Path> pages = Map.of("comparison", comparison.resolve("comparison.html"),
                "report-baseline", runs.get("baseline").resolve("report.html"));
        for (Map.Entry<String, Path> page : pages.entrySet()) {
            String html = Files.readString(page.getValue());
            int embedded = count(html, "<img src=\"data:image/png;base64,");
            assertTrue(embedded >= 4, page.getKey() + " embeds its charts: " + embedded);
            assertFalse(html.contains("http://") || html.contains("https://"), page.getKey() + " needs no network");
            for (int width : List.of(1280, 760)) {
                List<String> found = Browser.check(page.getValue(), width, dir);
                assertEquals("images=" + embedded, found.get(0), page.getKey() + " at " + width + " px: every chart is an image that loads");
                assertEquals(List.of(), found.subList(2, found.size()), page.getKey() + " at " + width + " px");
                if (page.getKey().startsWith("report") && width == 1280) {
                    // the claims table is read at a glance: all of it within the page, no sideways scrolling inside it
                    String[] glance = found.get(1).replace("glance=", "").split("/");
                    assertEquals(2, glance.length, "the report has its claims-at-a-glance table: " + found.get(1));
                    assertTrue(Integer.parseInt(glance[0]) <= Integer.parseInt(glance[1]), "the claims table fits in " + width
                            + " px without scrolling: " + found.get(1));
                }
            }
            Browser.screenshot(page.getValue(), shots.resolve(page.getKey() + ".png"), 1280, 6000, dir);
        }
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
