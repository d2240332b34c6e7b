package tcplab.experiment.timewait.portexhaustion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.results.RunData;
import tcplab.socket.CloseMode;
import tcplab.testing.Fixtures;

/** The section's figures from recorded seconds and from bins built here: the model is drawn, counts start at zero, legends are short. */
class ChartsTest {
    private static final Map<String, String> RANGE = Map.of("net.ipv4.ip_local_port_range", "40000 40999");

    private static Charts.Run run(String legend, CloseMode mode, Map<String, String> sysctls, boolean loopback, Charts.Bins bins) {
        return Charts.Run.of(legend, legend, mode, sysctls, loopback, bins);
    }

    /** Ten bins a second for {@code seconds}: the range filled in the first bin of each hold, EADDRNOTAVAIL in the rest. */
    private static Charts.Bins refilling(int seconds, int ports, int holdBins) {
        List<BinRow> rows = new ArrayList<>();
        for (int i = 1; i <= seconds * 10; i++) {
            boolean fill = (i - 1) % holdBins == 0;
            rows.add(new BinRow(i * 100L, fill ? ports : 0, fill ? 0 : 300, ports));
        }
        return Charts.Bins.of(rows, List.of());
    }

    private static XYSeries series(XYChart chart, String name) {
        XYSeries s = find(chart, name);
        assertTrue(s != null, name + " is not a series");
        return s;
    }

    private static void legendsShort(XYChart chart) {
        chart.getSeriesCollection().stream().filter(XYSeries::isShowInLegend)
                .forEach(s -> assertTrue(s.getName().length() <= 40, s.getName()));
    }

    @Test
    void withoutReuseTheCeilingIsTheRangePerSixtySecondsAndTheRecordedRunStaysUnderIt() throws IOException {
        ExperimentData data = Fixtures.experiment("port-exhaustion-default-range", "port-exhaustion");
        RunData.Result r = data.trials().get(0);
        Charts.Bins bins = Charts.Bins.of(BinRow.TABLE.read(data, r), SecondRow.TABLE.read(data, r));
        assertEquals(1000, bins.millis(), "recorded before bins.csv: binned by second");
        Charts.Run run = run("tw_reuse=0", CloseMode.CLIENT_FIN, r.sysctls(), false, bins);
        XYChart chart = Charts.opened("?", List.of(run));
        XYSeries model = series(chart, "model: ≤ 28,232 ports per 60 s");
        XYSeries measured = series(chart, "tw_reuse=0");
        assertEquals(0.0, measured.getYData()[0], "a count from zero");
        assertEquals(0.0, chart.getStyler().getYAxisMin(), 0.0);
        assertEquals(Plots.MODEL, model.getLineColor());
        // 28,232 until 60 s, then 56,464: the run's 75 s stay under it at every bin
        double[] mx = model.getXData();
        double[] my = model.getYData();
        for (int i = 0; i < measured.getXData().length; i++) {
            double t = measured.getXData()[i];
            double ceiling = t < 60 ? my[0] : my[my.length - 1];
            assertTrue(measured.getYData()[i] <= ceiling * 1.02, t + " s: " + measured.getYData()[i] + " over " + ceiling);
        }
        assertEquals(60.0, mx[1], 1e-9);
        assertEquals(2 * 28232.0, my[my.length - 1], 1e-9);
        assertTrue(chart.getSeriesCollection().stream().anyMatch(s -> s.getName().equals(Charts.FAILED)), "the bins where connect() failed are marked");
        legendsShort(chart);
    }

    @Test
    void withReuseTheCeilingStepsEachReuseDelayAndTheBinsShowTheRefill() {
        Map<String, String> sysctls = new java.util.HashMap<>(RANGE);
        sysctls.put("net.ipv4.tcp_tw_reuse", "1");
        Charts.Run run = run("tw_reuse=1 timestamps=1 veth", CloseMode.CLIENT_FIN, sysctls, false, refilling(3, 1000, 10));
        assertTrue(run.reuse());
        assertEquals(1000, run.holdMillis());
        XYChart chart = Charts.opened("?", List.of(run));
        XYSeries model = series(chart, "model: ≤ 1,000 ports per 1 s reuse delay");
        assertEquals(List.of(0.0, 1.0, 1.0, 2.0, 2.0, 3.0), java.util.Arrays.stream(model.getXData()).boxed().toList());
        assertEquals(3000.0, model.getYData()[model.getYData().length - 1], 1e-9);
        XYSeries measured = series(chart, "tw_reuse=1 timestamps=1 veth");
        // 1,000 at 0.1 s, flat, 2,000 at 1.1 s: sub-second bins show the refill
        assertEquals(1000.0, measured.getYData()[1], 1e-9);
        assertEquals(1000.0, measured.getYData()[10], 1e-9);
        assertEquals(2000.0, measured.getYData()[11], 1e-9);
        legendsShort(chart);
    }

    @Test
    void anRstClosePassesThePortsWithNoFailureAndLeavesNoTimeWait() {
        List<BinRow> rows = List.of(new BinRow(100, 5000, 0, 0), new BinRow(200, 5000, 0, 0));
        Charts.Run rst = run("RST veth", CloseMode.CLIENT_RST, RANGE, false, Charts.Bins.of(rows, List.of()));
        XYChart chart = Charts.opened("?", List.of(rst));
        XYSeries ports = series(chart, "N = 1,000 ports; model: no ceiling");
        assertEquals(Plots.MODEL, ports.getLineColor());
        assertEquals(0.0, chart.getStyler().getYAxisMin(), 0.0, "from zero, though 0 to 10,000 spans more than 20x");
        assertFalse(chart.getStyler().isYAxisLogarithmic());
        assertFalse(chart.getSeriesCollection().stream().anyMatch(s -> s.getName().equals(Charts.FAILED)));

        Charts.Run fin = run("FIN veth", CloseMode.CLIENT_FIN, RANGE, false, refilling(1, 1000, 10));
        XYChart tw = Charts.timeWait("?", List.of(fin, rst));
        assertEquals(1000.0, series(tw, "model: ≤ N = 1,000 (one per port)").getYData()[0], 1e-9);
        assertEquals(0.0, series(tw, "RST veth").getYData()[1], 1e-9);
        assertEquals(0.0, tw.getStyler().getYAxisMin(), 0.0);
        legendsShort(tw);
    }

    @Test
    void theQuickRunsLegendsNameWhatVariesInFortyCharactersAtMost() throws IOException {
        ExperimentData data = Fixtures.experiment("quick-baseline", "port-exhaustion");
        List<String> legends = Plots.varying(data.trials().stream().map(Report::conditions).toList(), "measured");
        assertEquals(data.trials().size(), legends.stream().distinct().count(), legends.toString());
        legends.forEach(l -> assertTrue(l.length() <= 40, l));
        assertTrue(legends.contains("FIN tw_reuse=2 loopback"), legends.toString());
        // the full plan's longest: every reuse setting on both paths
        assertEquals(List.of("FIN tw_reuse=0 timestamps=0 loopback", "RST veth"), Plots.varying(List.of(
                ordered("closeMode", "FIN", "net.ipv4.tcp_tw_reuse", "0", "net.ipv4.tcp_timestamps", "0", "path", "loopback"),
                ordered("closeMode", "RST", "path", "veth")), "measured"));
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static <S extends org.knowm.xchart.internal.series.Series> S find(org.knowm.xchart.internal.chartpart.Chart<?, S> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a series"));
    }
}
