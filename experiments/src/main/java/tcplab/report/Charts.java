package tcplab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.kernel.TcpModel;

/**
 * The run's charts, drawn from its raw files, each saved as PNG (for screens) and SVG (for print).
 * Titles say what and under which profile; axes carry units; a logarithmic axis is used when the
 * values span more than a factor of 20, as they do when a port range runs out.
 */
final class Charts {
    static final String DIR = "charts";
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 600;
    /** One colour per series position, the same in every chart (Okabe-Ito, readable with colour blindness). */
    private static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66), new Color(0, 0, 0)
    };
    private static final Color MODEL = new Color(200, 30, 30);

    /** A chart that was drawn: its file name without extension and what it shows. */
    record Drawn(String name, String title, String caption) {
    }

    private Charts() {
    }

    /** Complete connect/close cycles per second by configuration, with the port-range ceiling where it applies. */
    static Drawn throughput(List<Group> groups, String profile, Path dir) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        List<Double> ceilings = new ArrayList<>();
        for (Group g : measured) {
            labels.add(g.label());
            rates.add(g.okRate());
            errors.add(nanToZero(g.okError()));
            ceilings.add(ceiling(g));
        }
        String title = "Complete connect/close cycles per second, profile " + profile;
        List<Double> withModel = new ArrayList<>(rates);
        ceilings.stream().filter(c -> !Double.isNaN(c)).forEach(withModel::add);
        CategoryChart chart = categoryChart(title, "successful cycles / s", spansOrders(rates, errors), lowest(withModel, errors), false);
        bars(chart, "measured (mean of the measurement iterations)", labels, rates, errors, PALETTE[0]);
        if (ceilings.stream().anyMatch(c -> !Double.isNaN(c))) {
            // null leaves a gap where the model does not apply; XChart rejects NaN on a log axis
            List<Double> gaps = ceilings.stream().map(c -> Double.isNaN(c) ? null : c).toList();
            CategorySeries model = chart.addSeries("model: sustained ceiling without TIME_WAIT reuse (ports / 60 s)", labels, gaps);
            model.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            model.setMarker(SeriesMarkers.DIAMOND);
            model.setMarkerColor(MODEL);
        }
        save(chart, dir, "throughput");
        return new Drawn("throughput", title, "Bars: complete cycles per second over the measurement iterations, error bars as in the"
                + " table below. Diamonds: the kernel model's sustained ceiling for configurations whose client keeps TIME_WAIT and cannot"
                + " reuse it.");
    }

    /** Latency percentiles by configuration. */
    static Drawn latency(List<Group> groups, String profile, Path dir, String name, String what) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = measured.stream().map(Group::label).toList();
        String[][] percentiles = {{"50.0", "p50"}, {"90.0", "p90"}, {"99.0", "p99"}, {"99.9", "p99.9"}, {"100.0", "max"}};
        List<List<Double>> values = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (String[] p : percentiles) {
            List<Double> v = measured.stream().map(g -> g.percentile(p[0])).toList();
            values.add(v);
            all.addAll(v);
        }
        String title = what + " latency percentiles, profile " + profile;
        CategoryChart chart = categoryChart(title, "latency per " + (name.equals("latency") ? "cycle" : "request") + " (µs)",
                spansOrders(all, List.of()), lowest(all, List.of()), true);
        for (int i = 0; i < percentiles.length; i++) {
            chart.addSeries(percentiles[i][1], labels, values.get(i)).setFillColor(PALETTE[i]);
        }
        save(chart, dir, name);
        return new Drawn(name, title, "Percentiles of single " + (name.equals("latency") ? "connect/close cycles" : "requests")
                + " (JMH SampleTime), failed attempts included where the tables say so.");
    }

    /** Requests per second: a new connection per request against one kept-alive connection. */
    static Drawn reuse(List<Group> groups, String profile, Path dir) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = measured.stream().map(Group::label).toList();
        List<Double> rates = measured.stream().map(Group::okRate).toList();
        List<Double> errors = measured.stream().map(g -> nanToZero(g.okError())).toList();
        String title = "1-byte requests per second: new connection vs kept-alive, profile " + profile;
        CategoryChart chart = categoryChart(title, "requests / s", spansOrders(rates, errors), lowest(rates, errors), false);
        bars(chart, "measured", labels, rates, errors, PALETTE[2]);
        save(chart, dir, "connection-reuse");
        return new Drawn("connection-reuse", title, "Each request is one byte each way; NEW_CONNECTION opens and closes a connection for it.");
    }

    /** Complete cycles per second iteration by iteration, warmup included: where a port range runs out, it shows. */
    static Drawn iterations(List<Group> groups, String profile, Path dir) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Complete cycles per second by iteration (warmup first), profile " + profile)
                .xAxisTitle("iteration (warmup, then measurement; first repetition)").yAxisTitle("successful cycles / s").build();
        style(chart.getStyler());
        chart.getStyler().setMarkerSize(6);
        List<Double> all = new ArrayList<>();
        int series = 0;
        for (Group g : groups) {
            if (!g.hasData() || g.first().outcomes().isEmpty()) {
                continue;
            }
            RunData.Result r = g.measured().get(0);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            int i = 0;
            for (Map<String, String> o : r.outcomes()) {
                if (!"0".equals(o.get("thread"))) {
                    continue; // one thread's view is enough to see the shape
                }
                double seconds = "warmup".equals(o.get("phase")) ? r.jmh().warmupSeconds() : r.jmh().measurementSeconds();
                x.add((double) ++i);
                y.add(Math.max(Long.parseLong(o.get("ok")), 0.5) / seconds);
            }
            if (x.isEmpty()) {
                continue;
            }
            all.addAll(y);
            XYSeries s = chart.addSeries(g.label(), x, y);
            s.setLineColor(PALETTE[series % PALETTE.length]);
            s.setMarkerColor(PALETTE[series % PALETTE.length]);
            s.setLineStyle(new BasicStroke(2f));
            series++;
        }
        if (series == 0) {
            return null;
        }
        chart.getStyler().setYAxisLogarithmic(spansOrders(all, List.of()));
        save(chart, dir, "iterations");
        return new Drawn("iterations", chart.getTitle(), "Each point is one iteration of the first repetition (thread 0);"
                + " the warmup iterations come first. A fall within a configuration is the port range filling with TIME_WAIT.");
    }

    /**
     * Bars with their error range drawn as whiskers. XChart 4.0.3 draws its own error bars wrongly on
     * a log axis (it adds the error to the logarithm), so the range ends are two marker series.
     */
    private static void bars(CategoryChart chart, String name, List<String> labels, List<Double> values, List<Double> errors, Color color) {
        chart.addSeries(name, labels, values).setFillColor(color);
        List<Double> high = new ArrayList<>();
        List<Double> low = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            double e = errors.get(i);
            high.add(e > 0 ? values.get(i) + e : null);
            low.add(e > 0 ? Math.max(0, values.get(i) - e) : null);
        }
        if (high.stream().allMatch(java.util.Objects::isNull)) {
            return;
        }
        CategorySeries top = chart.addSeries("error range (see the table)", labels, high);
        top.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        top.setMarker(new Whisker(true));
        top.setMarkerColor(Color.DARK_GRAY);
        CategorySeries bottom = chart.addSeries(name + " low", labels, low);
        bottom.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        bottom.setMarker(new Whisker(false));
        bottom.setMarkerColor(Color.DARK_GRAY);
        bottom.setShowInLegend(false);
    }

    /** One end of an error range: a short crossbar with a stub pointing at the value. */
    private static final class Whisker extends Marker {
        private final boolean top;

        Whisker(boolean top) {
            this.top = top;
        }

        @Override
        public void paint(Graphics2D g, double x, double y, int size) {
            g.setStroke(new BasicStroke(1.5f));
            g.draw(new Line2D.Double(x - 6, y, x + 6, y));
            g.draw(new Line2D.Double(x, y, x, top ? y + 8 : y - 8));
        }
    }

    private static double ceiling(Group g) {
        RunData.Result r = g.measured().get(0);
        String mode = r.params().getOrDefault("closeMode", "CLIENT_FIN");
        boolean clientKeepsTimeWait = mode.equals("CLIENT_FIN") || mode.equals("CLIENT_LINGER");
        int ports = TcpModel.portCount(r.sysctls());
        if (!clientKeepsTimeWait || ports <= 0 || TcpModel.timeWaitReuse(r.sysctls(), r.path().equals("loopback"))) {
            return Double.NaN;
        }
        return TcpModel.portCeilingPerSecond(ports);
    }

    /** A bar chart; several bar series per category stand side by side, a single one carries its whiskers and markers on top. */
    private static CategoryChart categoryChart(String title, String yTitle, boolean logarithmic, double lowest, boolean sideBySide) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("configuration").yAxisTitle(
                yTitle + (logarithmic ? ", log scale" : "")).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(logarithmic);
        if (logarithmic) {
            // bars start at zero unless told otherwise, and a log axis has no zero: start at the decade below the lowest value
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lowest))));
        }
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setOverlapped(!sideBySide);
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setSeriesColors(PALETTE);
        if (styler instanceof org.knowm.xchart.style.AxesChartStyler) {
            var axes = (org.knowm.xchart.style.AxesChartStyler) styler;
            axes.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            axes.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            axes.setPlotGridLinesColor(new Color(220, 220, 220));
        }
    }

    /**
     * Whether the values span more than a factor of 20, so a log axis reads better. Never when a
     * value, or the low end of its error bar, is zero or less: a log axis cannot show it.
     */
    static boolean spansOrders(List<Double> values, List<Double> errors) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int i = 0; i < values.size(); i++) {
            double v = values.get(i);
            if (Double.isNaN(v)) {
                continue;
            }
            double low = v - (i < errors.size() ? errors.get(i) : 0);
            if (low <= 0) {
                return false;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max > 0 && max / min > 20;
    }

    /** The lowest value or low end of an error bar. */
    static double lowest(List<Double> values, List<Double> errors) {
        double min = Double.MAX_VALUE;
        for (int i = 0; i < values.size(); i++) {
            if (!Double.isNaN(values.get(i))) {
                min = Math.min(min, values.get(i) - (i < errors.size() ? errors.get(i) : 0));
            }
        }
        return min;
    }

    private static void save(Chart<?, ?> chart, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name + ".svg").toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
