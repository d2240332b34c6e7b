package tcplab.experiment.serverside.listenportcollision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tcplab.chart.Figures;
import tcplab.experiment.serverside.FigureChecks;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.experiment.serverside.listenportcollision.Report.Point;

/** C8's figure: the measured shares with their whiskers against the piecewise model, kink and all. */
class ReportTest {
    /** 40000–40999 with 40700 reserved: 499 ports of the first parity, 500 of the other. */
    private static final int[] BY_PARITY = {499, 500};

    @Test
    void theModelBendsWhereTheFirstParityRunsOut() {
        double[][] first = Report.model(Case.FIRST_PARITY, BY_PARITY);
        double[][] other = Report.model(Case.OTHER_PARITY, BY_PARITY);
        double kink = 100.0 * 499 / 999;
        // slopes in percent failed per percent held, just below and just above the kink
        assertEquals(100 / kink, slope(first, kink - 5, kink), 1e-6, "the first parity climbs to 100 % by the kink");
        assertEquals(0, slope(first, kink, kink + 5), 1e-9, "then stays there");
        assertEquals(0, slope(other, kink - 5, kink), 1e-9, "the other parity is untouched until the kink");
        assertEquals(100 / (100 - kink), slope(other, kink, kink + 5), 1e-6, "then climbs to 100 % at a full range");
        assertTrue(java.util.Arrays.stream(first[0]).anyMatch(x -> Math.abs(x - kink) < 1e-9), "the kink is a vertex of the line");
    }

    @Test
    void theChartCarriesTheModelAndShortLabels() {
        List<Point> points = List.of(new Point(Case.FIRST_PARITY, 10, 30, 3), new Point(Case.FIRST_PARITY, 70, 30, 30),
                new Point(Case.OTHER_PARITY, 10, 30, 0), new Point(Case.OTHER_PARITY, 70, 30, 12), new Point(Case.BELOW_RANGE, 70, 30, 0),
                new Point(Case.RESERVED, 70, 30, 0));
        XYChart chart = Report.chart(points, BY_PARITY, new Figures(Path.of("unused"), Figures.Context.of("test")));
        FigureChecks.modelAndShortLegend(chart);
        assertEquals(3, FigureChecks.model(chart).size(), "each parity's model, and 0 below the range or reserved");
        assertTrue(chart.getTitle().endsWith("?"), chart.getTitle());
        // 12 of 30 at 70 %: whiskers of 3 standard deviations + half a trial, 40 % ± 28.5 %
        double[] y = chart.getSeries("whiskers: other parity").getYData();
        assertEquals(40 - 300 * Math.sqrt(0.4 * 0.6 / 30) - 50.0 / 30, y[3], 1e-9);
        assertEquals(0, y[0], 1e-9, "0 of 30: the whisker is clipped at 0 %");
    }

    @Test
    void theRecordedRunIsDrawn(@TempDir Path charts) throws Exception {
        FigureChecks.drawnFromTheRecordedRun("listen-port-collision", charts, "listen-port-collision");
    }

    private static double slope(double[][] xy, double from, double to) {
        return (at(xy, to) - at(xy, from)) / (to - from);
    }

    /** The line's value at x, straight between its vertices as it is drawn. */
    private static double at(double[][] xy, double x) {
        for (int i = 1; i < xy[0].length; i++) {
            if (x <= xy[0][i] + 1e-12) {
                double t = (x - xy[0][i - 1]) / (xy[0][i] - xy[0][i - 1]);
                return xy[1][i - 1] + t * (xy[1][i] - xy[1][i - 1]);
            }
        }
        return xy[1][xy[1].length - 1];
    }
}
