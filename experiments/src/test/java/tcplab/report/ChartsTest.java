package tcplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.Series;
import tcplab.chart.Figures;
import tcplab.chart.Plots;
import tcplab.experiment.Claim;
import tcplab.experiment.Section;
import tcplab.results.JmhResult;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * The benchmark figures, each on typed rows built here (a client that fills its range, one that
 * does not, runs short of and past the 60 s TIME_WAIT lasts) and the summary on the recorded fixture:
 * each carries its model where the model applies, says "n/a" where it has no repetitions, and keeps
 * its legend short.
 */
class ChartsTest {
    private static final String QUICK_FIXTURE = "src/test/resources/fixtures/quick-baseline";

    @TempDir
    Path dir;

    private Figures figures() {
        return new Figures(dir, Figures.Context.of("test"));
    }

    @Test
    void aCollapseIsDrawnAsOneAndTheCeilingOnlyWhereARunLastedPast60Seconds() {
        // 1,000 ports, no reuse: 10,000/s in the first iteration, 50/s after; 0.5 s warmup + 2 x 1 s
        RunData.Result fin = result(1, "thrpt", "CLIENT_FIN", 1, 1000, 0.5, 1, 5000, 50, 50);
        RunData.Result rst = result(2, "thrpt", "CLIENT_RST", 1, 1, 0.5, 1, 5000, 10000, 10000);
        CategoryChart chart = Charts.ratesChart(List.of(new Group(List.of(fin)), new Group(List.of(rst))), figures(), "q?", "cycles / s");

        List<String> categories = categories(chart);
        assertEquals("CLIENT_FIN veth · fell by 0.5 s", categories.get(0), categories.toString());
        assertEquals("CLIENT_RST veth", categories.get(1));
        CategorySeries bar = (CategorySeries) series(chart, "CLIENT_FIN veth");
        assertEquals(50.0, value(bar, 0), 1e-9, "the rate after the fall, not the mean of before and after");
        assertEquals(10000.0, value((CategorySeries) series(chart, "first warmup iteration, before the fall"), 0), 1e-9);
        assertEquals(null, series(chart, "model: ports / 60 s, from 60 s on"), "2.5 s is no 60 s: " + names(chart));
        assertTrue(names(chart).contains("ports/60 s = 16.7/s holds from 60 s on"), names(chart).toString());
        assertTrue(names(chart).contains("±n/a: each ran once, no error bars"), names(chart).toString());
        assertTrue(names(chart).contains("runs of at most 2.5 s: model not drawn"), names(chart).toString());
        assertShortLegend(chart);

        // the same client measured past 60 s: the ceiling applies, 1,000 ports / 60 s
        RunData.Result longer = result(3, "thrpt", "CLIENT_FIN", 1, 1000, 10, 20, 100000, 17, 17, 17, 17);
        CategoryChart past = Charts.ratesChart(List.of(new Group(List.of(longer))), figures(), "q?", "cycles / s");
        CategorySeries model = (CategorySeries) series(past, "model: ports / 60 s, from 60 s on");
        assertNotNull(model, names(past).toString());
        assertEquals(1000 / 60.0, value(model, 0), 1e-9);
        assertShortLegend(past);
    }

    @Test
    void errorBarsSpanRepetitionsAndAConfigurationRunOnceSaysNa() {
        RunData.Result a1 = result(1, "thrpt", "SERVER_FIN", 1, 1, 0.5, 1, 5000, 9000, 9000);
        RunData.Result a2 = result(2, "thrpt", "SERVER_FIN", 2, 1, 0.5, 1, 5000, 11000, 11000);
        RunData.Result b = result(3, "thrpt", "CLIENT_RST", 1, 1, 0.5, 1, 5000, 20000, 20000);
        List<Group> groups = Group.of(List.of(a1, a2, b), "ConnectCloseBenchmark", "thrpt");
        assertEquals(2, groups.size());
        CategoryChart chart = Charts.ratesChart(groups, figures(), "q?", "cycles / s");
        assertEquals(List.of("SERVER_FIN veth", "CLIENT_RST veth · ±n/a"), categories(chart));
        CategorySeries top = (CategorySeries) series(chart, "spread of the repetitions");
        assertNotNull(top, names(chart).toString());
        assertEquals(11000.0, value(top, 0), 1e-9, "the mean 10,000 and the farthest repetition 1,000 away");
        assertTrue(Double.isNaN(top.getYData()[1]), "no error bar from one run");
        assertShortLegend(chart);
    }

    @Test
    void theIterationsMarkTheWarmupAndReadAsPlainNumbers() {
        RunData.Result fin = result(1, "thrpt", "CLIENT_FIN", 1, 1000, 0.5, 1, 5000, 50, 50);
        XYChart chart = Charts.iterationsChart(List.of(new Group(List.of(fin))), figures());
        assertEquals(Charts.NUMBERS, chart.getStyler().getYAxisDecimalPattern());
        assertTrue(chart.getTitle().endsWith("?"), chart.getTitle());
        double[] xs = ((org.knowm.xchart.XYSeries) series(chart, "CLIENT_FIN veth")).getXData();
        assertEquals(0.5, xs[1], 1e-9, "the warmup ends at 0.5 s");
        assertShortLegend(chart);
    }

    @Test
    void aTailThatIsThePortScanSaysSoAndBothConnectionStylesAreDrawn() {
        RunData.Result fin = sample(1, "ConnectCloseBenchmark", "closeMode", "CLIENT_FIN", 1000, 1500, 6000);
        RunData.Result rst = sample(2, "ConnectCloseBenchmark", "closeMode", "CLIENT_RST", 1, 10, 9000);
        CategoryChart chart = Charts.latencyChart(List.of(new Group(List.of(fin)), new Group(List.of(rst))), true);
        List<String> categories = categories(chart);
        assertEquals("CLIENT_FIN veth · every cycle scans held ports", categories.get(0), categories.toString());
        assertEquals("CLIENT_RST veth", categories.get(1), "a tail the counters do not explain gets no note");
        assertShortLegend(chart);

        RunData.Result fresh = sample(3, "ConnectionReuseBenchmark", "style", "NEW_CONNECTION", 1, 60, 900);
        RunData.Result kept = sample(4, "ConnectionReuseBenchmark", "style", "KEEP_ALIVE", 1, 11, 600);
        List<Group> reuse = Group.of(List.of(fresh, kept), "ConnectionReuseBenchmark", "sample");
        CategoryChart styles = Charts.latencyChart(reuse, false);
        assertEquals(List.of("NEW_CONNECTION veth", "KEEP_ALIVE veth"), categories(styles));
        assertShortLegend(styles);
    }

    @Test
    void theSummaryHasOneCellPerClaimWithItsKeyRowsVerdict() throws Exception {
        RunData data = RunData.load(new RunFolder(Path.of(QUICK_FIXTURE)));
        List<Section> sections = ReportWriter.sections(data, figures());
        List<ReportWriter.Glance> glance = ReportWriter.glance(sections, List.of());
        Summary summary = new Summary(glance);
        List<Summary.Cell> cells = summary.cells();
        assertEquals(Claim.STATEMENTS.keySet().stream().toList(), cells.stream().map(Summary.Cell::id).toList());
        assertEquals("not in this plan", cells.get(0).word(), "the fixture has no benchmarks: " + cells.get(0));
        for (ReportWriter.Glance g : glance.subList(1, glance.size())) {
            boolean tested = sections.stream().flatMap(s -> s.claims().stream()).anyMatch(c -> c.claim().equals(g.id()));
            Summary.Cell cell = cells.stream().filter(c -> c.id().equals(g.id())).findFirst().orElseThrow();
            if (tested) {
                assertEquals(g.example().word, cell.word(), g.toString());
                assertEquals(Summary.colour(g.example()), cell.colour());
            }
        }
        assertTrue(summary.height() < 500 && summary.width() == 1100, "sized for the top of a post: " + summary.height());
        figures().save(summary, "summary");
    }

    private static void assertShortLegend(Chart<?, ?> chart) {
        for (Series s : chart.getSeriesCollection()) {
            if (s.isShowInLegend()) {
                assertTrue(s.getName().length() <= 40, "legend label over 40 characters: " + s.getName());
            }
        }
    }

    private static List<String> names(Chart<?, ?> chart) {
        return chart.getSeriesCollection().stream().map(Series::getName).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> categories(CategoryChart chart) {
        return (List<String>) new ArrayList<>(chart.getSeriesCollection().iterator().next().getXData());
    }

    private static Series series(Chart<?, ?> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst().orElse(null);
    }

    private static double value(CategorySeries s, int i) {
        return s.getYData()[i];
    }

    /**
     * A Throughput result: one warmup iteration of {@code warmupOk} cycles, then measurement
     * iterations of {@code measuredRates} per second; its client holding {@code timeWait} of the
     * 1,000 ports of 40000-40999 at the end, with tcp_tw_reuse 0.
     */
    private static RunData.Result result(int index, String mode, String closeMode, int repetition, long timeWait, double warmupSeconds,
                                         double seconds, long warmupOk, double... measuredRates) {
        List<Map<String, String>> outcomes = new ArrayList<>();
        outcomes.add(outcome("warmup", 1, warmupOk));
        for (int i = 0; i < measuredRates.length; i++) {
            outcomes.add(outcome("measurement", i + 1, Math.round(measuredRates[i] * seconds)));
        }
        double mean = java.util.Arrays.stream(measuredRates).average().orElse(0);
        JmhResult jmh = new JmhResult("tcplab.benchmarks.ConnectCloseBenchmark.connectClose", mode, 1, 1, Map.of("closeMode", closeMode),
                new JmhResult.Metric(mean, Double.NaN, "ops/s"), Map.of(), Map.of("ok", new JmhResult.Metric(mean, Double.NaN, "ops/s")),
                warmupSeconds, seconds, List.of());
        return new RunData.Result(row(index, "ConnectCloseBenchmark", mode, "closeMode=" + closeMode + ";reuseAddr=false;exchange=NONE", repetition),
                sysctls(), counters(timeWait), new HashMap<>(), jmh, outcomes, Map.of());
    }

    /** A SampleTime result whose range filled in the warmup when {@code timeWait} is 1,000: 10,000 cycles, then 500 a second. */
    private static RunData.Result sample(int index, String benchmark, String param, String value, long timeWait, double p50, double max) {
        Map<String, Double> percentiles = new LinkedHashMap<>();
        percentiles.put("50.0", p50);
        percentiles.put("90.0", p50 * 1.2);
        percentiles.put("99.0", p50 * 2);
        percentiles.put("99.9", max / 2);
        percentiles.put("100.0", max);
        JmhResult jmh = new JmhResult("tcplab.benchmarks." + benchmark + ".run", "sample", 1, 1, Map.of(param, value),
                new JmhResult.Metric(p50, Double.NaN, "us/op"), percentiles, Map.of(), 0.5, 1, List.of());
        List<Map<String, String>> outcomes = List.of(outcome("warmup", 1, 10000), outcome("measurement", 1, 500), outcome("measurement", 2, 500));
        String conditions = param + "=" + value + (benchmark.equals("ConnectCloseBenchmark") ? ";reuseAddr=false;exchange=NONE" : "");
        return new RunData.Result(row(index, benchmark, "sample", conditions, 1), sysctls(), counters(timeWait), new HashMap<>(), jmh, outcomes, Map.of());
    }

    private static Map<String, String> row(int index, String benchmark, String mode, String params, int repetition) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("index", Integer.toString(index));
        row.put("id", String.format("%02d-%s-%s", index, benchmark, mode));
        row.put("type", "benchmark");
        row.put("name", benchmark);
        row.put("mode", mode);
        row.put("path", "veth");
        row.put("threads", "1");
        row.put("repetition", Integer.toString(repetition));
        row.put("conditions", "path=veth;threads=1;" + params);
        row.put("sysctls", "");
        row.put("status", "ok");
        return row;
    }

    private static Map<String, String> sysctls() {
        return Map.of("net.ipv4.ip_local_port_range", "40000 40999", "net.ipv4.tcp_tw_reuse", "0", "net.ipv4.tcp_timestamps", "1");
    }

    private static Map<String, long[]> counters(long timeWait) {
        Map<String, long[]> c = new HashMap<>();
        c.put("state.TIME_WAIT", new long[] {0, timeWait, timeWait});
        return c;
    }

    private static Map<String, String> outcome(String phase, int iteration, long ok) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("fork_pid", "1");
        o.put("thread", "0");
        o.put("phase", phase);
        o.put("iteration", Integer.toString(iteration));
        o.put("ok", Long.toString(ok));
        return o;
    }
}
