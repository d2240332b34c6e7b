package tcplab.experiment.timewait.portrangecost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import tcplab.chart.Plots;

/** The occupancy figure: latency from zero and the model's step at half the range. */
class ReportTest {
    @Test
    void theModelMarksTheStepAtHalfTheRange() {
        Map<String, double[][]> p50 = Plots.series();
        p50.put("N = 4,000 ports", new double[][] {{0, 25, 48, 52, 75}, {33, 14, 13, 194, 199}});
        XYChart chart = Report.chart(Report.TITLE, p50);
        XYSeries model = find(chart, Report.MODEL);
        assertEquals(Plots.MODEL, model.getLineColor());
        assertEquals(50.0, model.getXData()[0], 1e-9);
        assertEquals(50.0, model.getXData()[1], 1e-9);
        assertEquals(0.0, chart.getStyler().getYAxisMin(), 0.0, "latency from zero on a linear axis");
        chart.getSeriesCollection().stream().map(s -> s.getName()).forEach(name -> assertTrue(name.length() <= 40, name));
    }

    @Test
    void onALogAxisTheModelLineStaysAboveZero() {
        Map<String, double[][]> p50 = Plots.series();
        p50.put("N = 28,232 ports", new double[][] {{0, 52}, {10, 900}});
        XYChart chart = Report.chart(Report.TITLE, p50);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertEquals(10.0, find(chart, Report.MODEL).getYData()[0], 1e-9);
    }

    private static <S extends org.knowm.xchart.internal.series.Series> S find(org.knowm.xchart.internal.chartpart.Chart<?, S> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a series"));
    }
}
