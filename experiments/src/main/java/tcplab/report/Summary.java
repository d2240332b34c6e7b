package tcplab.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tcplab.chart.Figures;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;

/**
 * The report on one page, for the top of a post: each claim of C1 to C13 with the verdict of its
 * key number's row as a coloured cell, its verdicts counted and the key number, model beside
 * measured, as the glance table has them.
 */
final class Summary implements Figures.Drawing {
    static final String NAME = "summary";
    static final String TITLE = "Which of the 13 TCP claims hold on this kernel?";
    static final int WIDTH = 1100;
    private static final int HEADER = 26;
    private static final int ROW = 30;
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color GREY = new Color(110, 110, 110);
    private static final Color NONE = new Color(225, 225, 225);
    /** Left edge of each column: claim, in short, verdict, verdicts counted, key number, measured at. */
    private static final int[] COLUMNS = {8, 56, 340, 450, 610, 930, WIDTH - 8};
    private static final Graphics2D MEASURE = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();

    /** One cell of the verdict column: what it says and its colour. */
    record Cell(String id, String word, Color colour) {
    }

    private final List<ReportWriter.Glance> glance;

    Summary(List<ReportWriter.Glance> glance) {
        this.glance = glance;
    }

    /** Draws the summary, or nothing when the run has neither benchmarks nor claims. */
    static Drawn draw(List<ReportWriter.Glance> glance, Figures dir) throws IOException {
        if (glance.isEmpty()) {
            return null;
        }
        dir.save(new Summary(glance), NAME);
        return new Drawn(NAME, TITLE, "One row per claim: the verdict of the row its key number comes from (green agrees, blue"
                + " consistent, orange differs, grey skipped or not measured), every row's verdict counted, and the key number as the"
                + " table below gives it.");
    }

    /** The verdict cells, one per claim, in order (for tests). */
    List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (ReportWriter.Glance g : glance) {
            cells.add(new Cell(g.id(), g.example() == null ? (g.status().isEmpty() ? "" : g.model().isEmpty() ? g.status() : g.model())
                    : g.example().word, colour(g.example())));
        }
        return cells;
    }

    /** Okabe-Ito, as the charts: bluish green agrees, sky blue consistent, vermillion differs. */
    static Color colour(Claim.Verdict v) {
        if (v == null) {
            return NONE;
        }
        return switch (v) {
            case AGREES -> Plots.PALETTE[2];
            case CONSISTENT -> Plots.PALETTE[4];
            case DIFFERS -> Plots.PALETTE[5];
            case SKIPPED -> new Color(190, 190, 190);
        };
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public boolean model() {
        return true; // the model beside the measurement in each row
    }

    @Override
    public int width() {
        return WIDTH;
    }

    @Override
    public int height() {
        return HEADER + glance.size() * ROW + 6;
    }

    @Override
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setFont(SMALL);
        g.setColor(GREY);
        String[] heads = {"claim", "in short", "verdict", "rows", "key number: model · measured", "measured at"};
        for (int i = 0; i < heads.length; i++) {
            g.drawString(heads[i], COLUMNS[i] + (i == 2 ? 4 : 0), HEADER - 9);
        }
        List<Cell> cells = cells();
        for (int r = 0; r < glance.size(); r++) {
            ReportWriter.Glance row = glance.get(r);
            int top = HEADER + r * ROW;
            int base = top + ROW / 2 + 5;
            if (r % 2 == 0) {
                g.setColor(new Color(247, 247, 247));
                g.fillRect(0, top, WIDTH, ROW);
            }
            g.setColor(Color.BLACK);
            g.setFont(BOLD);
            g.drawString(row.id(), COLUMNS[0], base);
            g.setFont(TEXT);
            g.drawString(fit(Claim.SHORT.get(row.id()), TEXT, COLUMNS[2] - COLUMNS[1] - 8), COLUMNS[1], base);
            Cell cell = cells.get(r);
            g.setColor(cell.colour());
            g.fill(new RoundRectangle2D.Double(COLUMNS[2], top + 4, COLUMNS[3] - COLUMNS[2] - 10, ROW - 8, 8, 8));
            g.setColor(row.example() == null ? GREY : Color.BLACK);
            g.setFont(row.example() == null ? SMALL : BOLD);
            g.drawString(fit(cell.word(), g.getFont(), COLUMNS[3] - COLUMNS[2] - 18), COLUMNS[2] + 6, base);
            g.setFont(SMALL);
            g.setColor(GREY);
            g.drawString(fit(counts(row.verdicts()), SMALL, COLUMNS[4] - COLUMNS[3] - 8), COLUMNS[3], base);
            g.setFont(TEXT);
            g.setColor(Color.BLACK);
            String key = row.model().isEmpty() && row.measured().isEmpty() ? ""
                    : row.model().isEmpty() || row.model().equals("skipped") || row.model().equals("no model") ? row.measured()
                    : row.model() + " · " + row.measured();
            g.drawString(fit(key, TEXT, COLUMNS[5] - COLUMNS[4] - 8), COLUMNS[4], base);
            g.setFont(SMALL);
            g.setColor(GREY);
            g.drawString(fit(row.measuredAt(), SMALL, COLUMNS[6] - COLUMNS[5]), COLUMNS[5], base);
        }
    }

    private static String counts(Map<Claim.Verdict, Long> verdicts) {
        List<String> parts = new ArrayList<>();
        verdicts.forEach((v, n) -> parts.add(n + " " + v.word));
        return String.join(", ", parts);
    }

    /** The text, cut with an ellipsis to fit {@code width} in this font: a cell never runs into the next. */
    static String fit(String text, Font font, int width) {
        FontMetrics m = MEASURE.getFontMetrics(font);
        if (text == null || m.stringWidth(text) <= width) {
            return text == null ? "" : text;
        }
        String cut = text;
        while (!cut.isEmpty() && m.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut.strip() + "…";
    }
}
