package tcplab.experiment.timeouts.connecttimeout;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tcplab.chart.ChartChecks;

class ReportChartTest {
    @Test
    void theTimelineCarriesTheModelsScheduleGiveUpAndTheApplicationsCut() {
        Model kernel = Model.of(Map.of("net.ipv4.tcp_syn_retries", "1", "net.ipv4.tcp_syn_linear_timeouts", "0"), 0);
        Model app = Model.of(Map.of("net.ipv4.tcp_syn_retries", "6", "net.ipv4.tcp_syn_linear_timeouts", "4"), 1200);
        List<Report.Timeline> rows = List.of(
                new Report.Timeline(Report.label(kernel, 0), kernel, List.of(new AttemptRow(1, 1000, 4040, AttemptRow.Outcome.KERNEL_TIMEOUT,
                        "Connection timed out")), List.of(new SynRow(1, 1010, 40000, 0), new SynRow(1, 2010, 40000, 1))),
                new Report.Timeline(Report.label(app, 1200), app, List.of(new AttemptRow(1, 5000, 6210, AttemptRow.Outcome.APPLICATION_TIMEOUT,
                        "Connect timed out")), List.of(new SynRow(1, 5010, 40002, 0), new SynRow(1, 6040, 40002, 1))));
        XYChart chart = Report.chart(rows);
        Report.references(chart, rows);
        ChartChecks.modelAndShortLegend(chart);
        assertNotNull(chart.getSeries("model: SYN sent"));
        assertNotNull(chart.getSeries("model: connect() fails"));
        assertNotNull(chart.getSeries("measured: connect() failed"));
        assertNotNull(chart.getSeries("application's connect timeout"), "the application's cut");
    }
}
