package tcplab.experiment.serverside.adminport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.experiment.serverside.FigureChecks;

/** C9's two charts: probes with no answer censored at the deadline, the model drawn, short legends. */
class ReportTest {
    private static final Map<String, Color> COLOURS = Map.of("shared port", Color.MAGENTA, "separate port", Color.CYAN);

    @Test
    void probesWithNoAnswerAreCensoredAtTheDeadline() {
        Map<String, double[][]> answered = Plots.series();
        answered.put("shared port: answered", new double[][] {{0.2, 0.4, 4.2}, {2, 3, 2}});
        answered.put("separate port: answered", new double[][] {{0.2, 1.4, 2.6}, {2, 2, 3}});
        Map<String, double[][]> none = Map.of("shared port: no answer in 1000 ms", new double[][] {{1.2, 2.8}, {1000, 1000}});
        Map<String, double[][]> model = Map.of("model: shared port, no answer", new double[][] {{2.6, 3.0}, {1000, 1000}});
        XYChart chart = Report.probesChart(answered, none, model, COLOURS, List.of(1.0, 4.0));
        FigureChecks.modelAndShortLegend(chart);
        assertEquals(List.of("shared port: no answer in 1000 ms"), FigureChecks.censored(chart));
        assertTrue(chart.getStyler().isYAxisLogarithmic(), "2 ms answers against a 1000 ms deadline");
        assertTrue(chart.getTitle().endsWith("?"));
    }

    @Test
    void theQueuesChartCarriesTheFullQueue() {
        Map<String, double[][]> queues = Plots.series();
        queues.put("shared port: business queue", new double[][] {{0, 2, 3}, {0, 9, 9}});
        queues.put("separate port: management queue", new double[][] {{0, 2, 3}, {0, 0, 0}});
        XYChart chart = Report.queuesChart(queues, Map.of("model: business queue full (9)", new double[][] {{2, 4}, {9, 9}}), COLOURS,
                List.of(1.0, 4.0));
        FigureChecks.modelAndShortLegend(chart);
        assertEquals(0.0, chart.getStyler().getYAxisMin(), "counts start at zero");
    }

    @Test
    void theRecordedRunIsDrawn(@TempDir Path charts) throws Exception {
        FigureChecks.drawnFromTheRecordedRun("admin-port", charts, "admin-port-probes", "admin-port-accept-queues");
    }
}
