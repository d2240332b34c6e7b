package tcplab.experiment.timeouts.deadpeer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tcplab.chart.ChartChecks;
import tcplab.experiment.Params;
import tcplab.experiment.timeouts.deadpeer.DeadPeerExperiment.Fault;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;

class ReportChartTest {
    private static final Map<String, String> SCALED = Map.of("net.ipv4.tcp_keepalive_time", "2", "net.ipv4.tcp_keepalive_intvl", "1",
            "net.ipv4.tcp_keepalive_probes", "1");

    @Test
    void notNoticedIsCensoredAtTheWindowBesideTheModelsDiamonds() {
        Params p = new DeadPeerExperiment().params(Map.of("fault", "DROP", "keepCount", "1", "window", "4"));
        Params kill = new DeadPeerExperiment().params(Map.of("fault", "KILL", "keepCount", "1", "window", "4"));
        List<Report.Row> rows = List.of(row(Fault.DROP, Mechanism.NONE, p, null), row(Fault.DROP, Mechanism.KEEPALIVE_DEFAULT, p, 2740L),
                row(Fault.KILL, Mechanism.NONE, kill, 13L));
        XYChart chart = Report.chart(rows);
        ChartChecks.modelAndShortLegend(chart);
        ChartChecks.censored(chart, "not noticed within 4 s");
        assertNotNull(chart.getSeries("KILL"), "a kill's near-zero is drawn");
        assertTrue(rows.get(1).label().contains("scaled to 2 + 1 × 1 s"), rows.get(1).label());
    }

    private static Report.Row row(Fault fault, Mechanism m, Params p, Long afterMs) {
        DetectionRow d = new DetectionRow(m, 1_000_000, 1_000_300, afterMs == null ? null : 1_000_300 + afterMs, afterMs == null ? "not detected" : "x");
        return new Report.Row(fault, Report.rowLabel(m, p, SCALED), d, Claims.expectation(fault, m, p, SCALED, d.idleBeforeFault()), 4);
    }
}
