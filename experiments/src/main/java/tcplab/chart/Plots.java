package tcplab.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.AxesChartSeries;
import org.knowm.xchart.internal.series.MarkerSeries;
import org.knowm.xchart.internal.series.Series;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * How every tcplab chart looks and is saved: white background, one colour-blind-safe palette in the
 * same order everywhere, axis titles with units, a logarithmic axis when values span more than a
 * factor of 20. {@link Figures} frames and saves them.
 */
public final class Plots {
    public static final int WIDTH = 1100;
    public static final int HEIGHT = 600;
    /** Okabe-Ito, readable with colour blindness; its yellow darkened, which on white was too faint for a line. */
    public static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(86, 180, 233), new Color(213, 94, 0), new Color(170, 150, 0), new Color(0, 0, 0)
    };
    public static final Color MODEL = new Color(200, 30, 30);

    private Plots() {
    }

    /** A chart that was drawn: its file name without extension, its title, and what it shows. */
    public record Drawn(String name, String title, String caption) {
        /** The Markdown that shows it and links its SVG, for a report in the run folder. */
        public String markdown(String dir) {
            return "![" + title + "](" + dir + "/" + name + ".png)\n\n*" + caption + " [SVG](" + dir + "/" + name + ".svg)*\n\n";
        }
    }

    /**
     * A line chart, one line per series (x and y of the same length); NaN values leave gaps. {@code model}
     * lines, if any, are drawn dashed in the model colour.
     */
    public static XYChart lines(String title, String xTitle, String yTitle, Map<String, double[][]> series, Map<String, double[][]> model) {
        return xy(title, xTitle, yTitle, series, model, false);
    }

    /** The same with each measured series as unjoined points: events over time rather than a curve. */
    public static XYChart points(String title, String xTitle, String yTitle, Map<String, double[][]> series, Map<String, double[][]> model) {
        return xy(title, xTitle, yTitle, series, model, true);
    }

    private static XYChart xy(String title, String xTitle, String yTitle, Map<String, double[][]> series, Map<String, double[][]> model,
                              boolean points) {
        List<Double> all = new ArrayList<>();
        series.values().forEach(xy -> {
            for (double v : xy[1]) {
                all.add(v);
            }
        });
        boolean log = spansOrders(all, List.of());
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle + (log ? ", log scale" : "")).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(log);
        if (!log && all.stream().filter(v -> !Double.isNaN(v)).allMatch(v -> v >= 0)) {
            // a linear axis of rates, counts or durations starts at zero: fitted to the data, it magnifies 30 ms into a cliff
            chart.getStyler().setYAxisMin(0.0);
        }
        chart.getStyler().setMarkerSize(5);
        int i = 0;
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            if (s.getValue()[0].length == 0) {
                i++; // XChart cannot draw an empty series; its colour stays reserved so colours match across charts
                continue;
            }
            XYSeries line = chart.addSeries(s.getKey(), s.getValue()[0], s.getValue()[1]);
            Color c = PALETTE[i++ % PALETTE.length];
            line.setLineColor(c);
            line.setMarkerColor(c);
            line.setLineStyle(new BasicStroke(2f));
            if (points) {
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
        }
        for (Map.Entry<String, double[][]> m : (model == null ? Map.<String, double[][]>of() : model).entrySet()) {
            XYSeries line = chart.addSeries(m.getKey(), m.getValue()[0], m.getValue()[1]);
            line.setLineColor(MODEL);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        }
        return chart;
    }

    /** A bar chart; several bar series per category stand side by side, a single one carries its whiskers and markers on top. */
    public static CategoryChart bars(String title, String yTitle, boolean logarithmic, double lowest, boolean sideBySide) {
        return bars(title, yTitle, logarithmic, lowest, sideBySide, 0);
    }

    /**
     * The same for {@code categories} categories: past a dozen their labels stand upright, every one
     * shown, and the chart grows taller by their length so the plot keeps its height.
     */
    public static CategoryChart bars(String title, String yTitle, boolean logarithmic, double lowest, boolean sideBySide, int categories) {
        boolean upright = categories > 12;
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(upright ? HEIGHT + 260 : HEIGHT).title(title).xAxisTitle("configuration").yAxisTitle(
                yTitle + (logarithmic ? ", log scale" : "")).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(logarithmic);
        if (logarithmic) {
            // bars start at zero unless told otherwise, and a log axis has no zero: start at the decade below the lowest value
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lowest))));
        }
        chart.getStyler().setXAxisLabelRotation(upright ? 90 : 20);
        if (upright) {
            chart.getStyler().setXAxisTickMarkSpacingHint(12); // XChart drops labels it thinks too close: upright ones are not
        }
        chart.getStyler().setOverlapped(!sideBySide);
        return chart;
    }

    /**
     * Bars with their error range drawn as whiskers. XChart 4.0.3 draws its own error bars wrongly on
     * a log axis (it adds the error to the logarithm), so the range ends are two marker series.
     */
    public static void barsWithRange(CategoryChart chart, String name, List<String> labels, List<Double> values, List<Double> errors, Color color) {
        chart.addSeries(name, labels, values).setFillColor(color);
        range(chart, "error range (see the table)", labels, values, errors);
    }

    /** Whiskers at value ± error on a bar chart; a category whose error is NaN or 0 gets none. */
    public static void range(CategoryChart chart, String name, List<String> labels, List<Double> values, List<Double> errors) {
        List<Double> high = new ArrayList<>();
        List<Double> low = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            double e = errors.get(i);
            high.add(e > 0 ? values.get(i) + e : null);
            low.add(e > 0 ? Math.max(0, values.get(i) - e) : null);
        }
        span(chart, name, labels, low, high);
    }

    /** Whiskers from {@code low} to {@code high} (a lowest and a highest, not ± an error); a null end draws none. */
    public static void span(CategoryChart chart, String name, List<String> labels, List<Double> low, List<Double> high) {
        if (high.stream().allMatch(Objects::isNull)) {
            return;
        }
        CategorySeries top = chart.addSeries(name, labels, high);
        top.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        top.setMarker(new Whisker(true));
        top.setMarkerColor(Color.DARK_GRAY);
        CategorySeries bottom = chart.addSeries(name + " low", labels, low);
        bottom.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        bottom.setMarker(new Whisker(false));
        bottom.setMarkerColor(Color.DARK_GRAY);
        bottom.setShowInLegend(false);
    }

    /**
     * One bar per category, each its own series in its configuration's colour from the report's table
     * (the chart must overlap its series); the category labels name them, so the legend does not.
     * A null value leaves its category without a bar.
     */
    public static void configurationBars(CategoryChart chart, List<String> categories, List<String> configurations, List<Double> values,
                                         Figures figures) {
        for (int i = 0; i < categories.size(); i++) {
            if (values.get(i) == null || Double.isNaN(values.get(i))) {
                continue;
            }
            List<Double> only = new ArrayList<>(java.util.Collections.nCopies(categories.size(), (Double) null));
            only.set(i, values.get(i));
            CategorySeries bar = chart.addSeries(configurations.get(i), categories, only);
            bar.setFillColor(figures.colour(configurations.get(i)));
            bar.setShowInLegend(false);
        }
    }

    /** A line of text in a bar chart's legend, with no swatch: what the whole chart needs said (no error bars, a model not drawn). */
    public static void note(CategoryChart chart, String text, List<String> categories) {
        CategorySeries note = chart.addSeries(text, categories, java.util.Collections.nCopies(categories.size(), (Double) null));
        note.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        note.setMarker(SeriesMarkers.NONE);
    }

    /** Model values as diamonds on a bar chart; null leaves a category without one (XChart rejects NaN on a log axis). */
    public static void modelMarkers(CategoryChart chart, String name, List<String> labels, List<Double> values) {
        List<Double> gaps = values.stream().map(v -> v == null || Double.isNaN(v) ? null : v).toList();
        CategorySeries model = chart.addSeries(name, labels, gaps);
        model.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        model.setMarker(SeriesMarkers.DIAMOND);
        model.setMarkerColor(MODEL);
    }

    /**
     * Values censored at their window ("no answer within 1000 ms" at 1000 ms) as {@link Censored}
     * arrows pointing up, in the configuration's colour: never plain points at the window's length.
     * None (null) when there are none: XChart cannot draw an empty series. The axis turns logarithmic
     * when the window and the measured values together span more than a factor of 20.
     */
    public static XYSeries censored(XYChart chart, String name, double[][] xy, Color colour) {
        if (xy[0].length == 0) {
            return null;
        }
        XYSeries s = chart.addSeries(name, xy[0], xy[1]);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(new Censored(true));
        s.setMarkerColor(colour);
        // a window far beyond the measured values (1 s against 2 ms) counts toward the axis: log when they span orders
        List<Double> all = new ArrayList<>();
        chart.getSeriesCollection().forEach(series -> Arrays.stream(series.getYData()).filter(v -> !Double.isNaN(v)).forEach(all::add));
        if (!chart.getStyler().isYAxisLogarithmic() && spansOrders(all, List.of())) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(null);
            chart.setYAxisTitle(chart.getYAxisTitle() + ", log scale");
        }
        return s;
    }

    /**
     * Gives each measured series of a chart its configuration's colour from the report's table, so a
     * configuration looks the same in every figure; model series keep the model colour. A series is
     * known by its name without a leading "measured: ".
     */
    public static void colourBy(Chart<?, ?> chart, Figures figures) {
        colourBy(chart, figures, name -> name.replaceFirst("^measured: ", ""));
    }

    /**
     * The same for series whose names are short legend labels: {@code configuration} maps a series
     * name to the configuration's full label, the key of its colour; a series it maps to null keeps its own.
     */
    public static void colourBy(Chart<?, ?> chart, Figures figures, java.util.function.Function<String, String> configuration) {
        for (Series s : chart.getSeriesCollection()) {
            String key = configuration.apply(s.getName());
            if (key == null) {
                continue;
            }
            Color c = figures.colour(key);
            if (s instanceof AxesChartSeries a && MODEL.equals(a.getLineColor())
                    || s instanceof MarkerSeries m && MODEL.equals(m.getMarkerColor())
                    || s instanceof MarkerSeries w && w.getMarker() instanceof Whisker) { // error ranges stay grey
                continue;
            }
            if (s instanceof AxesChartSeries a) {
                a.setLineColor(c);
            }
            if (s instanceof MarkerSeries m) {
                m.setMarkerColor(c);
            }
            if (s instanceof CategorySeries cat && cat.getChartCategorySeriesRenderStyle().map(r -> r == CategorySeries.CategorySeriesRenderStyle.Bar)
                    .orElse(true)) {
                cat.setFillColor(c);
            }
        }
    }

    /**
     * Text on a chart at a point in data units, centred on it as XChart's AnnotationText is, but
     * drawn with drawString, so an SVG keeps it as text rather than as glyph outlines.
     */
    public static final class Label extends AnnotationText {
        private final String label;

        public Label(String text, double x, double y, boolean inScreenSpace) {
            super(text, x, y, inScreenSpace);
            this.label = text;
        }

        @Override
        public void paint(Graphics2D g) {
            if (!isVisible) {
                return;
            }
            g.setColor(styler.getAnnotationTextFontColor());
            g.setFont(styler.getAnnotationTextFont());
            java.awt.geom.Rectangle2D b = new java.awt.font.TextLayout(label, g.getFont(), g.getFontRenderContext()).getBounds();
            double sx = isValueInScreenSpace ? x : getXAxisScreenValue(x);
            double sy = isValueInScreenSpace ? chart.getHeight() - y : getYAxisScreenValue(y);
            g.drawString(label, (float) (sx - b.getWidth() / 2), (float) (sy - b.getY() - b.getHeight() / 2));
        }
    }

    /**
     * A censored value: an open arrow pointing the way the true value lies beyond the window
     * ("not noticed within 4 s" is drawn at 4 s pointing up), never a plain point or bar of the
     * window's length.
     */
    public static final class Censored extends Marker {
        private final boolean up;

        /** {@code up}: the value is above (a y value censored at the window); otherwise it lies to the right. */
        public Censored(boolean up) {
            this.up = up;
        }

        @Override
        public void paint(Graphics2D g, double x, double y, int size) {
            g.setStroke(new BasicStroke(2f));
            double s = Math.max(size, 8);
            if (up) {
                g.draw(new Line2D.Double(x - s / 2, y, x + s / 2, y));
                g.draw(new Line2D.Double(x, y, x, y - 2 * s));
                g.draw(new Line2D.Double(x - s / 2, y - 1.4 * s, x, y - 2 * s));
                g.draw(new Line2D.Double(x + s / 2, y - 1.4 * s, x, y - 2 * s));
            } else {
                g.draw(new Line2D.Double(x, y - s / 2, x, y + s / 2));
                g.draw(new Line2D.Double(x, y, x + 2 * s, y));
                g.draw(new Line2D.Double(x + 1.4 * s, y - s / 2, x + 2 * s, y));
                g.draw(new Line2D.Double(x + 1.4 * s, y + s / 2, x + 2 * s, y));
            }
        }
    }

    /**
     * A level on a bar chart, a limit or a reference the bar is read against: a horizontal line, solid
     * or dashed, 3.2 marker sizes wide (22 px in the legend's swatch, drawn at size 7).
     */
    public static final class Level extends Marker {
        private final boolean dashed;

        public Level(boolean dashed) {
            this.dashed = dashed;
        }

        @Override
        public void paint(Graphics2D g, double x, double y, int size) {
            g.setStroke(dashed ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2.5f));
            g.draw(new Line2D.Double(x - 1.6 * size, y, x + 1.6 * size, y));
        }
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

    public static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setSeriesColors(PALETTE);
        if (styler instanceof AxesChartStyler axes) {
            axes.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            axes.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            axes.setPlotGridLinesColor(new Color(225, 225, 225));
            // solid: an SVG writer outlines every dash of a dashed grid line as its own rectangle (20 KB a line)
            axes.setPlotGridLinesStroke(new BasicStroke(1f));
        }
    }

    /**
     * Whether the values span more than a factor of 20, so a log axis reads better. Never when a
     * value, or the low end of its error bar, is zero or less: a log axis cannot show it.
     */
    public static boolean spansOrders(List<Double> values, List<Double> errors) {
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
    public static double lowest(List<Double> values, List<Double> errors) {
        double min = Double.MAX_VALUE;
        for (int i = 0; i < values.size(); i++) {
            if (!Double.isNaN(values.get(i))) {
                min = Math.min(min, values.get(i) - (i < errors.size() ? errors.get(i) : 0));
            }
        }
        return min;
    }

    /**
     * Measured lines against dashed model lines, each series x → y, titled and saved in {@code dir} as
     * {@code chart} says; the series are named "measured: …" and "model: …".
     */
    public static void measuredAgainstModel(Drawn chart, String xTitle, String yTitle, Map<String, ? extends Map<Integer, Double>> measured,
                                            Map<String, ? extends Map<Integer, Double>> modelled, Figures dir) throws IOException {
        Map<String, double[][]> series = series();
        Map<String, double[][]> model = series();
        measured.forEach((k, v) -> series.put("measured: " + k, xy(v)));
        modelled.forEach((k, v) -> model.put("model: " + k, xy(v)));
        dir.save(lines(chart.title(), xTitle, yTitle, series, model), chart.name());
    }

    /** Points as the charts take them: {x values, y values}. */
    public static double[][] xy(List<double[]> points) {
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }

    /** Points from a map of x to y, in the map's order (a TreeMap: by x). */
    public static double[][] xy(Map<? extends Number, ? extends Number> points) {
        return xy(points.entrySet().stream().map(e -> new double[] {e.getKey().doubleValue(), e.getValue().doubleValue()}).toList());
    }

    /** One value of typed rows against seconds since {@code t0} (epoch ms); a row whose value is null is left out. */
    public static <R> double[][] overTime(List<R> rows, java.util.function.ToLongFunction<R> atMs, long t0,
                                          java.util.function.Function<R, ? extends Number> value) {
        List<double[]> points = new ArrayList<>();
        for (R row : rows) {
            Number v = value.apply(row);
            if (v != null) {
                points.add(new double[] {(atMs.applyAsLong(row) - t0) / 1000.0, v.doubleValue()});
            }
        }
        return xy(points);
    }

    /** Thin vertical lines at these x values: where the phases of an experiment begin. */
    public static void phaseLines(XYChart chart, List<Double> xs) {
        xs.stream().distinct().forEach(x -> chart.addAnnotation(new AnnotationLine(x, true, false)));
    }

    /**
     * The same, each line named at height {@code y} (in the axis' units) by the name of the same index:
     * right of its line, or left of it for the last when {@code lastOnLeft} (a line by the right edge).
     */
    public static void phaseLines(XYChart chart, List<Double> xs, List<String> names, double y, boolean lastOnLeft) {
        phaseLines(chart, xs);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
        double span = xs.stream().mapToDouble(Double::doubleValue).max().orElse(1) - Math.min(0, xs.stream().mapToDouble(Double::doubleValue)
                .min().orElse(0));
        int n = Math.min(names.size(), xs.size());
        for (int i = 0; i < n; i++) {
            double off = span * 0.05 * (lastOnLeft && i == n - 1 && i > 0 ? -1 : 1);
            chart.addAnnotation(new Label(names.get(i), xs.get(i) + off, y, false));
        }
    }

    /**
     * Legend labels that name only what varies: of each configuration's conditions (key to value, in
     * order), the keys whose values differ between them; a sysctl by its name after "net.ipv4." and
     * "tcp_", a number as key=value, a word (CLIENT_FIN, veth) alone. Where nothing varies a label is
     * {@code single}; a label repeated (repetitions of one configuration) gets its number, as XChart
     * wants each series named once.
     */
    public static List<String> varying(List<Map<String, String>> conditions, String single) {
        List<String> keys = new ArrayList<>();
        conditions.forEach(c -> c.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add));
        List<String> vary = keys.stream().filter(k -> conditions.stream().map(c -> c.get(k)).distinct().count() > 1).toList();
        List<String> labels = new ArrayList<>();
        for (Map<String, String> c : conditions) {
            List<String> parts = new ArrayList<>();
            for (String k : vary) {
                String v = c.get(k);
                if (v != null) {
                    String name = k.replaceFirst("^net\\.ipv4\\.", "").replaceFirst("^tcp_", "");
                    parts.add(v.matches("-?[\\d .]+") ? name + "=" + v : v);
                }
            }
            String label = parts.isEmpty() ? single : String.join(" ", parts);
            long before = labels.stream().filter(l -> l.equals(label) || l.startsWith(label + " (")).count();
            labels.add(before == 0 ? label : label + " (" + (before + 1) + ")");
        }
        return labels;
    }

    /**
     * Events along time, one row per configuration: row 0 at the top at y = 0, row i at y = -i, each
     * named by a label at its top, centred at {@code labelX} (data units; XChart's tick labels cannot
     * be pinned to rows). Draw into it with {@link #marks} and {@link #strokes}; y offsets within
     * ±0.3 of a row keep measured and model apart under the label.
     */
    public static XYChart timeline(String title, String xTitle, List<String> rows, boolean logX, double labelX) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle + (logX ? ", log scale" : ""))
                .yAxisTitle("").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisMin(-rows.size() + 0.5);
        chart.getStyler().setYAxisMax(0.5);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
        for (int row = 0; row < rows.size(); row++) {
            chart.addAnnotation(new Label(rows.get(row), labelX, -row + 0.36, false));
        }
        return chart;
    }

    /** Row names made unique for series names (XChart refuses a name twice): a repeated one gets " #2", " #3"… */
    public static List<String> unique(List<String> names) {
        Map<String, Integer> seen = new java.util.HashMap<>();
        return names.stream().map(n -> {
            int k = seen.merge(n, 1, Integer::sum);
            return k == 1 ? n : n + " #" + k;
        }).toList();
    }

    /** Unjoined marks at {x, y} points, one series; an empty list adds nothing (XChart cannot draw an empty series). */
    public static XYSeries marks(XYChart chart, String name, List<double[]> points, Marker marker, Color colour) {
        if (points.isEmpty()) {
            return null;
        }
        double[][] xy = xy(points);
        XYSeries s = chart.addSeries(name, xy[0], xy[1]);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
        s.setMarkerColor(colour);
        return s;
    }

    /**
     * Short vertical strokes, one series: each {x, from y, to y}, a limit or a give-up across a row of
     * a {@link #timeline}; the model's dashed in the model colour.
     */
    public static XYSeries strokes(XYChart chart, String name, List<double[]> strokes, boolean model, Color colour) {
        if (strokes.isEmpty()) {
            return null;
        }
        double[] x = new double[strokes.size() * 3 - 1];
        double[] y = new double[x.length];
        for (int i = 0; i < strokes.size(); i++) {
            double[] s = strokes.get(i);
            x[3 * i] = s[0];
            x[3 * i + 1] = s[0];
            y[3 * i] = s[1];
            y[3 * i + 1] = s[2];
            if (3 * i + 2 < x.length) {
                x[3 * i + 2] = Double.NaN; // a gap between strokes
                y[3 * i + 2] = Double.NaN;
            }
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(model ? MODEL : colour);
        s.setLineStyle(model ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 3f}, 0f)
                : new BasicStroke(2.5f));
        return s;
    }

    /** An ordered map for {@link #lines}. */
    public static Map<String, double[][]> series() {
        return new LinkedHashMap<>();
    }
}
