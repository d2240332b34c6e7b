package tcplab.chart;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** What every figure's test checks on an XY chart: a model series in the model style, short legend labels, censored values as such. */
public final class ChartChecks {
    private ChartChecks() {
    }

    /** The chart carries a series named "model…" drawn in the model colour, and every legend label is at most 40 characters. */
    public static void modelAndShortLegend(XYChart chart) {
        assertTrue(chart.getSeriesCollection().stream().anyMatch(s -> s.getName().startsWith("model")
                && (Plots.MODEL.equals(s.getLineColor()) || Plots.MODEL.equals(s.getMarkerColor()))), names(chart));
        for (XYSeries s : chart.getSeriesCollection()) {
            assertTrue(!s.isShowInLegend() || s.getName().length() <= 40, "legend label too long: " + s.getName());
        }
    }

    /** The chart has a series of censored arrows (Plots.Censored), named {@code name}. */
    public static void censored(XYChart chart, String name) {
        XYSeries s = chart.getSeries(name);
        assertTrue(s != null && s.getMarker() instanceof Plots.Censored, names(chart));
    }

    private static String names(XYChart chart) {
        return chart.getSeriesCollection().stream().map(XYSeries::getName).toList().toString();
    }
}
