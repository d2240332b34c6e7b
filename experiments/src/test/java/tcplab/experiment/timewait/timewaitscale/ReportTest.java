package tcplab.experiment.timewait.timewaitscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import tcplab.chart.Plots;

/** C5's figure from tallies built here: TIME_WAIT held against the model and the levels it is the least of. */
class ReportTest {
    private static Tally tally(long made, int ports, int serverPorts, long buckets, long held) {
        MemoryRow memory = new MemoryRow(0, held, null, null, null, null, null, null, null, null);
        return new Tally(made, ports, serverPorts, buckets, held, Math.max(0, made - buckets), 0, "", memory, 2);
    }

    @Test
    void moreThanThePortsUpToTheCapEachLevelDrawn() {
        List<Tally> tallies = List.of(tally(3000, 2000, 3, 131072, 3000), tally(3000, 2000, 3, 100, 100));
        CategoryChart chart = Report.chart(Report.TITLE, List.of("max_tw_buckets=131072", "max_tw_buckets=100"), tallies);
        CategorySeries model = find(chart, Report.MODEL);
        assertEquals(Plots.MODEL, model.getMarkerColor());
        assertEquals(List.of(3000.0, 100.0), java.util.Arrays.stream(model.getYData()).boxed().toList());
        assertEquals(List.of(131072.0, 100.0), java.util.Arrays.stream(find(chart, "tcp_max_tw_buckets (cap)").getYData()).boxed().toList());
        assertEquals(6000.0, find(chart, "N × server ports (room)").getYData()[0], 1e-9);
        assertEquals(2000.0, find(chart, "N local ports").getYData()[0], 1e-9);
        // 100 to 131,072: a log axis, said on it, starting below the lowest bar so that bar has a height
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getStyler().getYAxisMin() < 100, "" + chart.getStyler().getYAxisMin());
        chart.getSeriesCollection().stream().map(s -> s.getName()).forEach(name -> assertTrue(name.length() <= 40, name));
    }

    @Test
    void closeValuesStayOnALinearAxisFromZero() {
        CategoryChart chart = Report.chart(Report.TITLE, List.of("local ports=2000"), List.of(tally(3000, 2000, 3, 5000, 3000)));
        assertTrue(!chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getStyler().getYAxisMin() == null || chart.getStyler().getYAxisMin() == 0.0);
    }

    private static <S extends org.knowm.xchart.internal.series.Series> S find(org.knowm.xchart.internal.chartpart.Chart<?, S> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a series"));
    }
}
