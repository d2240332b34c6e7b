package tcplab.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.AxesChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.AxesChartSeries;
import org.knowm.xchart.internal.series.MarkerSeries;
import org.knowm.xchart.internal.series.Series;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.None;

/**
 * A figure laid out for a page: its title (wrapped, never cut), the plot, the axis titles, a legend
 * that wraps onto as many rows as it needs, and the context footer. Title, axis titles, legend and
 * footer are drawn here with drawString, so an SVG keeps them as text; XChart would draw them as
 * glyph outlines (XChart issue #499).
 */
final class Frame {
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    static final Font AXIS = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font FOOTER = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    static final Color FOOTER_COLOUR = new Color(90, 90, 90);
    private static final int MARGIN = 14;
    private static final int Y_TITLE = 22;
    /** Metrics for layout, before anything is painted; the same font gives the same widths on any Graphics2D. */
    private static final Graphics2D MEASURE = measure();

    /** One legend entry: its label and how its swatch looks. */
    record Key(String label, Color line, Stroke stroke, Marker marker, Color markerColour, boolean box) {
        /** Drawn in the model's colour: the model beside the measurement. */
        boolean model() {
            return Plots.MODEL.equals(line) || Plots.MODEL.equals(markerColour);
        }
    }

    private final String title;
    private final Figures.Drawing body;
    private final String xTitle;
    private final String yTitle;
    private final List<Key> keys;
    private final String footer;
    private final int width;
    private final List<String> titleLines;
    private final List<List<Key>> legendRows;
    private final List<String> footerLines;
    /** What its legend names and whether it shows a model, painted by the frame or by the drawing itself. */
    private List<String> labels;
    private boolean model;

    private Frame(String title, Figures.Drawing body, String xTitle, String yTitle, List<Key> keys, String footer) {
        this.title = title;
        this.body = body;
        this.xTitle = xTitle == null ? "" : xTitle;
        this.yTitle = yTitle == null ? "" : yTitle;
        this.keys = keys;
        this.footer = footer;
        this.width = body.width() + (this.yTitle.isEmpty() ? 0 : Y_TITLE) + 2 * MARGIN;
        this.titleLines = wrap(title, TITLE, width - 2 * MARGIN);
        this.legendRows = rows(keys, width - 2 * MARGIN);
        this.footerLines = wrap(footer, FOOTER, width - 2 * MARGIN);
        this.labels = keys.stream().map(Key::label).toList();
        this.model = keys.stream().anyMatch(Key::model);
    }

    /** Frames an XChart chart: its own title, legend and axis titles are switched off and drawn here instead. */
    static Frame of(Chart<?, ?> chart, String footer) {
        String x = "";
        String y = "";
        if (chart instanceof AxesChart<?, ?> axes) {
            x = axes.getXAxisTitle();
            y = axes.getYAxisTitle();
            ((AxesChartStyler) chart.getStyler()).setAxisTitlesVisible(false);
        }
        String title = chart.getTitle();
        chart.getStyler().setChartTitleVisible(false);
        chart.getStyler().setLegendVisible(false);
        List<Key> keys = new ArrayList<>();
        for (Series s : chart.getSeriesCollection()) {
            if (s.isShowInLegend() && s.isEnabled()) {
                keys.add(key(s));
            }
        }
        Figures.Drawing plot = new Figures.Drawing() {
            public String title() {
                return title;
            }

            public int width() {
                return chart.getWidth();
            }

            public int height() {
                return chart.getHeight();
            }

            public void paint(Graphics2D g) {
                chart.paint(g, chart.getWidth(), chart.getHeight());
            }
        };
        return new Frame(title, plot, x, y, keys, footer);
    }

    /** Frames a drawing of tcplab's own, which draws its own keys. */
    static Frame of(Figures.Drawing drawing, String footer) {
        Frame f = new Frame(drawing.title(), drawing, "", "", List.of(), footer);
        f.labels = drawing.legend();
        f.model = drawing.model();
        return f;
    }

    private static Key key(Series s) {
        Color fill = s.getFillColor();
        if (s instanceof CategorySeries c && c.getChartCategorySeriesRenderStyle().map(r -> r != CategorySeries.CategorySeriesRenderStyle.Scatter
                && r != CategorySeries.CategorySeriesRenderStyle.Line).orElse(true)) {
            return new Key(s.getName(), fill, null, null, null, true);
        }
        Color line = null;
        Stroke stroke = null;
        if (s instanceof AxesChartSeries a && !(s instanceof XYSeries xy && xy.getXYSeriesRenderStyle().map(r -> r == XYSeries.XYSeriesRenderStyle.Scatter)
                .orElse(false)) && !(s instanceof CategorySeries c2 && c2.getChartCategorySeriesRenderStyle().map(
                r -> r == CategorySeries.CategorySeriesRenderStyle.Scatter).orElse(false))) {
            line = a.getLineColor();
            stroke = a.getLineStyle();
        }
        Marker marker = null;
        Color markerColour = null;
        if (s instanceof MarkerSeries m && m.getMarker() != null && !(m.getMarker() instanceof None)) {
            marker = m.getMarker();
            markerColour = m.getMarkerColor();
        }
        return new Key(s.getName(), line, stroke, marker, markerColour, false);
    }

    int width() {
        return width;
    }

    int height() {
        return top() + body.height() + (xTitle.isEmpty() ? 0 : 22) + legendRows.size() * 20 + 8 + footerLines.size() * 14 + MARGIN;
    }

    private int top() {
        return MARGIN + titleLines.size() * 22 + 6;
    }

    String title() {
        return title;
    }

    String footer() {
        return footer;
    }

    List<String> labels() {
        return labels;
    }

    boolean model() {
        return model;
    }

    void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        int y = MARGIN;
        for (String line : titleLines) {
            y += 22;
            g.drawString(line, MARGIN, y - 5);
        }
        int left = MARGIN + (yTitle.isEmpty() ? 0 : Y_TITLE);
        int top = top();
        AffineTransform saved = g.getTransform();
        g.translate(left, top);
        body.paint(g);
        g.setTransform(saved);
        g.setColor(Color.BLACK);
        g.setFont(AXIS);
        FontMetrics axis = MEASURE.getFontMetrics(AXIS);
        if (!yTitle.isEmpty()) {
            g.rotate(-Math.PI / 2);
            g.drawString(yTitle, -(top + body.height() / 2 + axis.stringWidth(yTitle) / 2), MARGIN + 14);
            g.setTransform(saved);
        }
        y = top + body.height();
        if (!xTitle.isEmpty()) {
            y += 22;
            g.drawString(xTitle, left + body.width() / 2 - axis.stringWidth(xTitle) / 2, y - 6);
        }
        g.setFont(LEGEND);
        FontMetrics legend = MEASURE.getFontMetrics(LEGEND);
        for (List<Key> row : legendRows) {
            y += 20;
            int x = MARGIN;
            for (Key k : row) {
                swatch(g, k, x, y - 5);
                g.setColor(Color.BLACK);
                g.drawString(k.label(), x + 34, y);
                x += entryWidth(k, legend);
            }
        }
        y += 8;
        g.setFont(FOOTER);
        g.setColor(FOOTER_COLOUR);
        for (String line : footerLines) {
            y += 14;
            g.drawString(line, MARGIN, y - 3);
        }
    }

    private static void swatch(Graphics2D g, Key k, int x, int y) {
        Stroke before = g.getStroke();
        if (k.box()) {
            g.setColor(k.line());
            g.fill(new Rectangle2D.Double(x + 6, y - 6, 18, 12));
        } else {
            if (k.line() != null) {
                g.setColor(k.line());
                g.setStroke(k.stroke() == null ? new BasicStroke(2f) : k.stroke());
                g.draw(new Line2D.Double(x, y, x + 30, y));
            }
            if (k.marker() != null) {
                g.setColor(k.markerColour());
                g.setStroke(new BasicStroke(1.5f));
                k.marker().paint(g, x + 15, y, 7); // small enough that an arrow marker stays clear of its label
            }
        }
        g.setStroke(before);
    }

    private static int entryWidth(Key k, FontMetrics m) {
        return 34 + m.stringWidth(k.label()) + 22;
    }

    private static List<List<Key>> rows(List<Key> keys, int width) {
        FontMetrics m = MEASURE.getFontMetrics(LEGEND);
        List<List<Key>> rows = new ArrayList<>();
        List<Key> row = new ArrayList<>();
        int used = 0;
        for (Key k : keys) {
            int w = entryWidth(k, m);
            if (!row.isEmpty() && used + w > width) {
                rows.add(row);
                row = new ArrayList<>();
                used = 0;
            }
            row.add(k);
            used += w;
        }
        if (!row.isEmpty()) {
            rows.add(row);
        }
        return rows;
    }

    /** Metrics as the PNG is drawn: antialiased, fractional widths. */
    private static Graphics2D measure() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(java.awt.RenderingHints.KEY_FRACTIONALMETRICS, java.awt.RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    /**
     * Words wrapped to lines no wider than {@code width} in this font, with 5 % to spare: a browser
     * drawing the SVG's text in its own copy of the font may set it a little wider.
     */
    static List<String> wrap(String text, Font font, int width) {
        FontMetrics m = MEASURE.getFontMetrics(font);
        width = width * 95 / 100;
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (String word : (text == null ? "" : text).split(" ")) {
            // a word wider than the line (a raw file's name) is cut where it must be, never left to run past the edge
            while (m.stringWidth(word) > width && word.length() > 1) {
                int cut = word.length() - 1;
                while (cut > 1 && m.stringWidth(word.substring(0, cut)) > width) {
                    cut--;
                }
                words.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            words.add(word);
        }
        for (String word : words) {
            String tried = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && m.stringWidth(tried) > width) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(tried);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
