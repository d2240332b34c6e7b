package tcplab.experiment.timewait.simultaneousclose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import tcplab.chart.Plots;
import tcplab.experiment.ExperimentData;
import tcplab.results.RunData;
import tcplab.testing.Fixtures;

/** C6's figure from the quick run's states: who holds TIME_WAIT in each order, beside the model. */
class ReportTest {
    @Test
    void eachOrderAndSideHasItsBarAndTheModelsCount() throws IOException {
        ExperimentData data = Fixtures.experiment("quick-baseline", "simultaneous-close");
        RunData.Result r = data.trials().get(0);
        int pairs = data.params(r).integer("pairs");
        CategoryChart chart = Report.chart(Report.TITLE, List.of(new Report.Panel("", pairs, StateRow.TABLE.read(data, r))));
        CategorySeries model = find(chart, Report.MODEL);
        assertEquals(Plots.MODEL, model.getMarkerColor());
        List<Double> expected = new ArrayList<>();
        for (StateRow.Order o : StateRow.Order.values()) {
            for (StateRow.Side s : StateRow.Side.values()) {
                expected.add(Claims.keepsTimeWait(o, s) ? (double) pairs : 0.0);
            }
        }
        assertEquals(expected, java.util.Arrays.stream(model.getYData()).boxed().toList());
        assertEquals(List.of("client-first, client", "client-first, server", "server-first, client", "server-first, server",
                "simultaneous, client", "simultaneous, server"), new ArrayList<Object>(model.getXData()));
        // the recorded run matches the model: the client's bar where the client closed first, both when at once
        assertEquals((double) pairs, find(chart, "on the client").getYData()[0], 1e-9);
        assertEquals((double) pairs, find(chart, "on the server").getYData()[5], 1e-9);
        assertFalse(chart.getStyler().isYAxisLogarithmic(), "counts, from zero");
        chart.getSeriesCollection().stream().map(s -> s.getName()).forEach(name -> assertTrue(name.length() <= 40, name));
    }

    private static <S extends org.knowm.xchart.internal.series.Series> S find(org.knowm.xchart.internal.chartpart.Chart<?, S> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a series"));
    }
}
