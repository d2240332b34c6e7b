package tcplab.experiment.timewait.timewaitlifetime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import tcplab.chart.Plots;

/** C2's figure from bars built here: a bar series per configuration, the model per state and timeout. */
class ReportTest {
    @Test
    void aSeriesAConfigurationAndTheModelForEachBar() {
        // TIME_WAIT outlives a 3 s watch: its lifetime is the kernel's timer, read; the 2 s FIN_WAIT_2 is seen to leave
        List<Report.Bar> bars = List.of(new Report.Bar("a", "fin_timeout=2", "TIME_WAIT", 60, 60, false),
                new Report.Bar("a", "fin_timeout=2", "FIN_WAIT2", 2.1, 2, true), new Report.Bar("b", "fin_timeout=60", "TIME_WAIT", 60, 60, false),
                new Report.Bar("b", "fin_timeout=60", "FIN_WAIT2", 60, 60, false));
        CategoryChart chart = Report.chart(Report.TITLE, bars);
        CategorySeries model = find(chart, Report.MODEL);
        assertEquals(Plots.MODEL, model.getMarkerColor());
        assertEquals(List.of(60.0, 2.0, 60.0, 60.0), java.util.Arrays.stream(model.getYData()).boxed().toList());
        assertEquals(List.of("TIME_WAIT, fin_timeout=2 · timer read", "FIN_WAIT2, fin_timeout=2", "TIME_WAIT, fin_timeout=60 · timer read",
                        "FIN_WAIT2, fin_timeout=60 · timer read"),
                new ArrayList<Object>(model.getXData()));
        double[] first = find(chart, "fin_timeout=2").getYData();
        assertEquals(2.1, first[1], 1e-9);
        assertTrue(Double.isNaN(first[2]), "the other configuration's bars are not this one's");
        assertFalse(chart.getStyler().isYAxisLogarithmic());
        chart.getSeriesCollection().stream().map(s -> s.getName()).forEach(name -> assertTrue(name.length() <= 40, name));
    }

    private static <S extends org.knowm.xchart.internal.series.Series> S find(org.knowm.xchart.internal.chartpart.Chart<?, S> chart, String name) {
        return chart.getSeriesCollection().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not a series"));
    }
}
