package tcplab.nativecompare;

import java.awt.Color;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Figures;
import tcplab.chart.Plots;

/** The one chart of a compare-native run: tcplab's rate as a share of C's per comparison, the rounds' range, and the target. */
public final class RatioChart {
    public static final String NAME = "native-comparison";

    private RatioChart() {
    }

    public static void draw(List<Ratios.Result> results, Figures figures) throws IOException {
        // a round with SYNs sent again had a connect() wait 1 s for its SYN-ACK: its ratio measures stalls as well as code
        List<String> labels = results.stream().map(r -> r.comparison().label() + (r.tcplabSynRetransmits() + r.cSynRetransmits() > 0
                ? " *" : "")).toList();
        CategoryChart chart = Plots.bars("tcplab's rate as a share of C code doing the same work (1.0: level with C)",
                "tcplab ÷ C (median rate ÷ median rate)", false, 0, false, labels.size());
        chart.setXAxisTitle("comparison: side, close, client threads (*: some round had a SYN sent again, a 1 s stall; counts in summary.md)");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(Math.max(1.1, results.stream().mapToDouble(Ratios.Result::highest).filter(v -> !Double.isNaN(v)).max().orElse(1) + 0.05));
        chart.addSeries("tcplab ÷ C (ratio of the median rates)", labels, results.stream().map(Ratios.Result::ratio).toList())
                .setFillColor(Plots.PALETTE[0]);
        Plots.span(chart, "lowest and highest round's own tcplab ÷ C", labels, results.stream().map(r -> nullIfNaN(r.lowest())).toList(),
                results.stream().map(r -> nullIfNaN(r.highest())).toList());
        CategorySeries target = chart.addSeries("target (0.97; 0.99 for the client with a FIN close); met only when both ratios in summary.md reach it", labels, results.stream().map(r -> r.comparison().target()).toList());
        target.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        target.setMarker(SeriesMarkers.DIAMOND);
        target.setMarkerColor(new Color(20, 20, 20));
        figures.save(chart, NAME);
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
