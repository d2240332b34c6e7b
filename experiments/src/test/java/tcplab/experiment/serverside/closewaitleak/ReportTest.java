package tcplab.experiment.serverside.closewaitleak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.serverside.FigureChecks;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.Handler;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;
import tcplab.results.RunData;
import tcplab.testing.Fixtures;

/** C13's two charts on the recorded quick run: the model drawn, unanswered requests censored, short legends. */
class ReportTest {
    @Test
    void theLeakyRunIsDrawnAgainstItsModel() throws Exception {
        ExperimentData data = Fixtures.experiment("quick-baseline", "close-wait-leak");
        Trace leaky = null;
        int limit = 0;
        for (RunData.Result r : data.trials()) {
            if (data.params(r).choice("handler", Handler.class) == Handler.LEAKY) {
                leaky = Trace.read(data, r);
                limit = data.params(r).integer("fdLimit");
            }
        }
        assertTrue(leaky != null && leaky.complete());
        Map<String, double[][]> model = Report.model(leaky, limit);
        assertEquals(List.of("model: CLOSE_WAIT kept until close()", "model: descriptor limit (128)"), List.copyOf(model.keySet()));
        double[][] kept = model.get("model: CLOSE_WAIT kept until close()");
        assertEquals(kept[1][0], kept[1][1], "flat through the hold: CLOSE_WAIT has no timer");
        assertEquals(0, kept[1][3], "and 0 once the server closes");

        long t0 = leaky.t0();
        Map<String, double[][]> sockets = Plots.series();
        sockets.put("leaky: server CLOSE_WAIT", Plots.overTime(leaky.samples(), SampleRow::atMs, t0, SampleRow::serverCloseWait));
        sockets.put("leaky: server descriptors", Plots.overTime(leaky.samples(), SampleRow::atMs, t0, SampleRow::serverFds));
        Map<String, Color> colours = Map.of("leaky", Color.MAGENTA);
        XYChart chart = Report.socketsChart(new Report.Series(sockets, model, colours), List.of(0.0, 3.0, 5.0));
        FigureChecks.modelAndShortLegend(chart);
        assertTrue(chart.getTitle().endsWith("?"));

        // the model's last answered request: each leaks a descriptor, and none after the limit is answered
        double out = Report.outOfDescriptors(leaky, limit);
        assertFalse(Double.isNaN(out));
        List<double[]> answered = new ArrayList<>();
        List<double[]> none = new ArrayList<>();
        for (RequestRow q : leaky.requests(Phase.TRAFFIC)) {
            double x = (q.atMs() - t0) / 1000.0;
            (q.answered() ? answered : none).add(new double[] {x, q.answered() ? q.totalUs() / 1000.0 : 1000});
            assertTrue(!q.answered() || x < out + 1e-9, "answered after the descriptors ran out, at " + x + " s");
        }
        Map<String, double[][]> requests = Plots.series();
        requests.put("leaky: answered", Plots.xy(answered));
        XYChart r = Report.requestsChart(new Report.Series(requests, Map.of("model: descriptors run out, answers stop",
                new double[][] {{out, out}, {0.1, 1000}}), colours), Map.of("leaky: no answer in 1000 ms", Plots.xy(none)), List.of(0.0));
        FigureChecks.modelAndShortLegend(r);
        assertEquals(List.of("leaky: no answer in 1000 ms"), FigureChecks.censored(r), "requests with no answer are censored, not points");
        assertTrue(r.getStyler().isYAxisLogarithmic(), "1 ms answers and a 1000 ms deadline need a log axis");
    }

    @Test
    void theRecordedRunIsDrawn(@TempDir Path charts) throws Exception {
        FigureChecks.drawnFromTheRecordedRun("close-wait-leak", charts, "close-wait-leak-sockets", "close-wait-leak-requests");
    }
}
