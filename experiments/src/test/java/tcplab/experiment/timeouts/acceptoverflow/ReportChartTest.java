package tcplab.experiment.timeouts.acceptoverflow;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tcplab.chart.ChartChecks;
import tcplab.kernel.TcpModel;

class ReportChartTest {
    @Test
    void everyClientIsDrawnTimedOutOnesCensoredAtTheConnectTimeout() {
        Map<String, String> settings = Map.of("net.ipv4.tcp_abort_on_overflow", "1", "net.ipv4.tcp_syncookies", "0");
        List<ConnectRow> rows = List.of(new ConnectRow(1, 0, 10, ConnectRow.Outcome.CONNECTED, ""),
                new ConnectRow(2, 0, 1010, ConnectRow.Outcome.CONNECTED, ""),
                new ConnectRow(3, 0, 3050, ConnectRow.Outcome.RESET, "Connection reset by peer"),
                new ConnectRow(4, 0, 4000, ConnectRow.Outcome.TIMEOUT, "Connect timed out"));
        XYChart chart = Report.chart(List.of(new Report.Strip(Report.label(settings), TcpModel.synSchedule(6, 4, 120), 4.0, rows)));
        ChartChecks.modelAndShortLegend(chart);
        ChartChecks.censored(chart, Report.TIMED_OUT);
        assertNotNull(chart.getSeries(Report.RESET));
    }
}
