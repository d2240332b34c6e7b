package tcplab.experiment.serverside.restartrebind;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.chart.Figures;
import tcplab.chart.Plots;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpModel;

/**
 * C7 as one matrix: a row per SO_REUSEADDR on the old and the new listener, a column per what the old
 * server left on the port. Each cell says what the new server's bind() did (at once, after how long,
 * or still failing when its retry window ended) and draws that time as a bar on its column's scale;
 * a window that ended first is hatched and ends in an arrow, never a bar of the window's length. The
 * model's expectation sits in each cell in red, apart from the measurement.
 */
final class Matrix implements Figures.Drawing {
    static final String TITLE = "Can a restarted server bind its port at once?";
    private static final int LABELS = 190;
    private static final int CELL_W = 300;
    private static final int CELL_H = 112;
    private static final int HEADER = 46;
    private static final int KEY = 34;
    private static final Color FAILING = Plots.PALETTE[5];
    private static final Color BOUND = Plots.PALETTE[2];
    private static final Font BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font PLAIN = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    /** What the new server's bind() did. */
    enum Result {
        AT_ONCE, AFTER, WINDOW_ENDED, NOT_MEASURED
    }

    /**
     * One configuration: what happened and when (seconds since the new server's first bind(): when it
     * bound, or how long it retried), and what the model expected; {@code modelSeconds} is infinite where
     * the model has bind() fail for as long as the old process holds its connections.
     */
    record Cell(Setup setup, Result result, double seconds, boolean modelAllowed, double modelSeconds, Color colour) {
        static Cell of(Setup s, Outcome o, Color colour) {
            boolean allowed = s.allowed(o.leftSockets());
            // TIME_WAIT began when the old process died, a little before the new server's first try
            double model = allowed ? 0 : s.leftover() == Leftover.TIME_WAIT ? TcpModel.TIME_WAIT_SECONDS - o.sinceLeftover()
                    : Double.POSITIVE_INFINITY;
            Result r = !o.bound() ? Result.WINDOW_ENDED : o.boundAfter() == 0 ? Result.AT_ONCE : Result.AFTER;
            return new Cell(s, r, o.bound() ? o.boundAfter() : o.windowSeconds(), allowed, model, colour);
        }

        static Cell notMeasured(Setup s, Color colour) {
            return new Cell(s, Result.NOT_MEASURED, Double.NaN, s.allowed(s.leftover() == Leftover.NOTHING ? 0 : 1), Double.NaN, colour);
        }

        boolean censored() {
            return result == Result.WINDOW_ENDED;
        }

        /** What the cell says was measured. */
        String measured() {
            return switch (result) {
                case AT_ONCE -> "bound at once";
                case AFTER -> String.format(Locale.ROOT, "bound after %s", time(seconds));
                case WINDOW_ENDED -> String.format(Locale.ROOT, "still failing: ≥ %s, window ended", time(seconds));
                case NOT_MEASURED -> "not measured";
            };
        }

        /** What the cell says the model expects. */
        String model() {
            if (modelAllowed) {
                return "model: binds at once";
            }
            return setup.leftover() == Leftover.TIME_WAIT ? "model: fails until TIME_WAIT ends (60 s)" : "model: fails while the old process holds them";
        }
    }

    private final List<Cell> cells;

    Matrix(List<Cell> cells) {
        this.cells = cells;
    }

    List<Cell> cells() {
        return cells;
    }

    /** The key under the matrix: each mark and what it means, short. */
    static List<String> keys() {
        return List.of("bind() failing", "bound", "window ended, still failing (censored)", "model (→: past the scale)");
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public boolean model() {
        return true; // the model in red in every cell
    }

    @Override
    public int width() {
        return LABELS + Leftover.values().length * CELL_W;
    }

    @Override
    public int height() {
        return HEADER + 4 * CELL_H + KEY;
    }

    private static String time(double s) {
        return s < 10 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String header(Leftover l) {
        return switch (l) {
            case TIME_WAIT -> "TIME_WAIT left";
            case ESTABLISHED -> "ESTABLISHED left";
            case NOTHING -> "nothing left";
        };
    }

    private static String how(Leftover l) {
        return switch (l) {
            case TIME_WAIT -> "(old server killed: it closed first)";
            case ESTABLISHED -> "(old server still draining)";
            case NOTHING -> "(clients closed first)";
        };
    }

    /** Each column's time scale: the longest time measured in it, at least 1 s. */
    private Map<Leftover, Double> scales() {
        Map<Leftover, Double> scale = new LinkedHashMap<>();
        for (Cell c : cells) {
            if (!Double.isNaN(c.seconds())) {
                scale.merge(c.setup().leftover(), c.seconds(), Math::max);
            }
        }
        scale.replaceAll((l, s) -> Math.max(1, Math.ceil(s)));
        return scale;
    }

    @Override
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width(), height()));
        Map<Leftover, Double> scales = scales();
        g.setColor(Color.BLACK);
        g.setFont(BOLD);
        g.drawString("SO_REUSEADDR", 8, HEADER - 22);
        g.setFont(SMALL);
        g.drawString("on the old / the new listener", 8, HEADER - 8);
        for (Leftover l : Leftover.values()) {
            int x = LABELS + l.ordinal() * CELL_W;
            g.setFont(BOLD);
            g.drawString(header(l), x + 10, HEADER - 22);
            g.setFont(SMALL);
            g.drawString(how(l), x + 10, HEADER - 8);
        }
        boolean[] reuse = {false, true};
        int row = 0;
        for (boolean oldReuse : reuse) {
            for (boolean newReuse : reuse) {
                int y = HEADER + row++ * CELL_H;
                g.setColor(Color.BLACK);
                g.setFont(BOLD);
                g.drawString("old " + Setup.onOff(oldReuse) + " / new " + Setup.onOff(newReuse), 8, y + CELL_H / 2 + 5);
                for (Leftover l : Leftover.values()) {
                    Setup s = new Setup(oldReuse, newReuse, l);
                    Cell c = cells.stream().filter(cell -> cell.setup().equals(s)).findFirst().orElse(null);
                    cell(g, c, LABELS + l.ordinal() * CELL_W, y, scales.getOrDefault(l, 1.0));
                }
            }
        }
        key(g, HEADER + 4 * CELL_H + 8);
    }

    private static void cell(Graphics2D g, Cell c, int x, int y, double scale) {
        Rectangle2D box = new Rectangle2D.Double(x + 3, y + 3, CELL_W - 6, CELL_H - 6);
        g.setColor(new Color(248, 248, 248));
        g.fill(box);
        g.setColor(new Color(200, 200, 200));
        g.setStroke(new BasicStroke(1f));
        g.draw(box);
        if (c == null) {
            g.setColor(Color.GRAY);
            g.setFont(PLAIN);
            g.drawString("not in this run", x + 14, y + 26);
            return;
        }
        // the configuration's colour, as every figure of the report shows it
        g.setColor(c.colour());
        g.fill(new Rectangle2D.Double(x + 3, y + 3, 6, CELL_H - 6));
        g.setColor(Color.BLACK);
        g.setFont(BOLD);
        g.drawString(c.measured(), x + 16, y + 24);
        g.setColor(Plots.MODEL);
        g.setFont(PLAIN);
        g.drawString(c.model(), x + 16, y + CELL_H - 14);
        if (c.result() == Result.NOT_MEASURED) {
            return;
        }
        double left = x + 22;
        double right = x + CELL_W - 84; // room on the right for a model time past the scale
        double barY = y + 42;
        double per = (right - left) / scale;
        double end = left + Math.min(c.seconds(), scale) * per;
        if (c.result() != Result.AT_ONCE) {
            Rectangle2D bar = new Rectangle2D.Double(left, barY, Math.max(2, end - left), 14);
            g.setColor(FAILING);
            if (c.censored()) {
                hatch(g, bar);
                g.setStroke(new BasicStroke(2f));
                arrow(g, end, barY + 7);
            } else {
                g.fill(bar);
            }
        }
        if (c.result() != Result.WINDOW_ENDED) {
            g.setColor(BOUND);
            g.fill(dot(end, barY + 7));
        }
        // the model's time on the same scale: a red dashed tick, or an arrow past the scale's end
        g.setColor(Plots.MODEL);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
        if (c.modelSeconds() <= scale) {
            double mx = left + c.modelSeconds() * per;
            g.draw(new Line2D.Double(mx, barY - 6, mx, barY + 20));
        } else {
            g.setStroke(new BasicStroke(2f));
            arrow(g, right + 22, barY + 7);
            g.setFont(PLAIN);
            g.drawString(Double.isInfinite(c.modelSeconds()) ? "∞" : time(c.modelSeconds()), (float) (right + 40), (float) (barY + 12));
        }
        // the column's scale under the bar
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Line2D.Double(left, barY + 24, right, barY + 24));
        g.setFont(SMALL);
        g.drawString("0", (float) left - 3, (float) (barY + 36));
        String max = time(scale).replace(".00", "").replace(".0 ", " ");
        g.drawString(max, (float) (right - g.getFontMetrics().stringWidth(max) / 2.0), (float) (barY + 36));
    }

    private static Shape dot(double x, double y) {
        return new Ellipse2D.Double(x - 6, y - 6, 12, 12);
    }

    /** Diagonal lines across the rectangle, with its outline: a bar that did not end where it stops. */
    private static void hatch(Graphics2D g, Rectangle2D r) {
        Shape clip = g.getClip();
        g.clip(r);
        g.setStroke(new BasicStroke(1.5f));
        for (double d = -r.getHeight(); d < r.getWidth(); d += 6) {
            g.draw(new Line2D.Double(r.getX() + d, r.getMaxY(), r.getX() + d + r.getHeight(), r.getY()));
        }
        g.setClip(clip);
        g.draw(r);
    }

    /** An open arrow pointing right from x: the true value lies beyond. */
    private static void arrow(Graphics2D g, double x, double y) {
        Path2D.Double a = new Path2D.Double();
        a.moveTo(x, y);
        a.lineTo(x + 14, y);
        a.moveTo(x + 8, y - 6);
        a.lineTo(x + 14, y);
        a.lineTo(x + 8, y + 6);
        g.draw(a);
    }

    private static void key(Graphics2D g, int y) {
        List<String> keys = keys();
        FontMetrics m = g.getFontMetrics(PLAIN);
        double x = 8;
        g.setFont(PLAIN);
        for (int i = 0; i < keys.size(); i++) {
            double cy = y + 10;
            switch (i) {
                case 0 -> {
                    g.setColor(FAILING);
                    g.fill(new Rectangle2D.Double(x, cy - 6, 26, 12));
                }
                case 1 -> {
                    g.setColor(BOUND);
                    g.fill(dot(x + 13, cy));
                }
                case 2 -> {
                    g.setColor(FAILING);
                    Rectangle2D r = new Rectangle2D.Double(x, cy - 6, 20, 12);
                    hatch(g, r);
                    g.setStroke(new BasicStroke(2f));
                    arrow(g, x + 20, cy);
                }
                default -> {
                    g.setColor(Plots.MODEL);
                    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                    g.draw(new Line2D.Double(x + 13, cy - 9, x + 13, cy + 9));
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(keys.get(i), (float) (x + 40), (float) (cy + 5));
            x += 40 + m.stringWidth(keys.get(i)) + 28;
        }
    }

    /** The cells of a run, for tests: each as "old/new/leftover: measured | model". */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        cells.forEach(c -> out.add(c.setup().label() + ": " + c.measured() + " | " + c.model()));
        return out;
    }
}
