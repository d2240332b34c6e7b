package tcplab.experiment.timeouts.stuckwrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tcplab.chart.ChartChecks;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;

class ReportChartTest {
    private static final List<RetransmitRow> ROWS = List.of(new RetransmitRow(1006, 0, 200, 1000), new RetransmitRow(1226, 1, 390, 1000),
            new RetransmitRow(1665, 2, 790, 1000));

    @Test
    void theTimelineCarriesTheModelOnTheMeasuredRtoAndCensorsAWriteThatNeverFailed() {
        Map<String, String> sysctls = Map.of("net.ipv4.tcp_retries2", "1");
        Failure failed = Failure.of(Variant.PLAIN, 0, sysctls, 250, new OutcomeRow(Variant.PLAIN, 1000L, 2481L, 10, "Connection timed out"), ROWS);
        Failure never = Failure.of(Variant.PLAIN, 0, sysctls, 250, new OutcomeRow(Variant.PLAIN, 1000L, null, 10, ""), ROWS);
        XYChart chart = Report.chart(List.of(failed, never), List.of(ROWS, ROWS));
        ChartChecks.modelAndShortLegend(chart);
        assertNotNull(chart.getSeries("model: retransmission"));
        assertNotNull(chart.getSeries(Report.FAILED));
        ChartChecks.censored(chart, Report.CENSORED);
    }

    @Test
    void theModelsSendsFollowTheMeasuredRtoAndStopBeforeTheFailingTimer() {
        Failure f = Failure.of(Variant.PLAIN, 0, Map.of("net.ipv4.tcp_retries2", "1"), 250,
                new OutcomeRow(Variant.PLAIN, 1000L, 2481L, 10, "Connection timed out"), ROWS);
        // timers at 0.206 and 0.616 s retransmit; the third, 1.4-odd s, is the one that ends the connection
        assertArrayEquals(new double[] {0.206, 0.611}, f.modelSends(), 0.02);
    }
}
