package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.timeouts.deadpeer.DeadPeerExperiment.Fault;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;
import tcplab.results.RunData;

/** C11's report section: when each mechanism noticed each fault, as a chart and a table. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<Fault, Map<Mechanism, Double>> chart = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("fault", "mechanism", "model", "noticed after", "how");
        int window = 0;
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Fault fault = p.choice("fault", Fault.class);
            List<DetectionRow> rows = DetectionRow.TABLE.read(data, r);
            if (!r.ok() || rows.isEmpty()) {
                table.row(fault, "not measured: " + r.status(), "", "", "");
                continue;
            }
            int w = p.integer("window");
            window = Math.max(window, w);
            Map<Mechanism, Double> bars = new LinkedHashMap<>();
            for (DetectionRow row : rows) {
                Claims.Expectation e = Claims.expectation(fault, row.mechanism(), p, r.sysctls(), row.idleBeforeFault());
                bars.put(row.mechanism(), row.noticed() ? row.noticedAfter() : w);
                table.row(fault, Claims.label(row.mechanism(), p, r.sysctls()), e.detects() ? String.format(Locale.ROOT, "%.1f s", e.model()) : "never",
                        Claims.measured(row, w), row.how());
            }
            chart.put(fault, bars);
        }
        StringBuilder md = new StringBuilder("A client holds four idle connections, one per mechanism, and the server fails one way. The"
                + " model: keepalive ends a connection idle time + probes × interval after its last activity (with the kernel's"
                + " defaults, 7200 + 9 × 75 s = 2 h 11 min: the plans scale the sysctls down to see it happen); a stopped process's"
                + " kernel still answers the probes, so keepalive never fires; a killed process's kernel closes the connection, so"
                + " every mechanism sees it at once; a heartbeat notices within its interval plus its deadline.\n\n");
        if (!chart.isEmpty()) {
            String title = "Time until a dead or hung peer is noticed, profile " + data.profile();
            data.charts().save(bars(title, chart), "dead-peer");
            md.append(new Drawn("dead-peer", title, String.format(Locale.ROOT, "Seconds from the fault until each mechanism noticed, per"
                    + " fault; a bar at the window (%d s) means not noticed at all. Keepalive (sysctls) ran with the values the table"
                    + " gives, not the kernel's defaults.", window)).markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        for (Drawn ladder : Ladders.draw(data)) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** A mechanism on the chart's axis: short, and never "KEEPALIVE_DEFAULT", which reads as the kernel's 7875 s. */
    static String category(Mechanism m) {
        return switch (m) {
            case KEEPALIVE_DEFAULT -> "keepalive (sysctls)";
            case KEEPALIVE_TUNED -> "keepalive (socket)";
            case NONE, HEARTBEAT -> m.name();
        };
    }

    /** One series per fault, one bar per mechanism: seconds until it noticed, the window's length when it did not. */
    private static CategoryChart bars(String title, Map<Fault, Map<Mechanism, Double>> chart) {
        CategoryChart bars = Plots.bars(title, "seconds after the fault (capped at the watch window: not noticed)", false, 0, true);
        bars.getStyler().setXAxisLabelRotation(0);
        List<String> mechanisms = List.of(Mechanism.values()).stream().map(Report::category).toList();
        int i = 0;
        for (Map.Entry<Fault, Map<Mechanism, Double>> e : chart.entrySet()) {
            List<Double> values = List.of(Mechanism.values()).stream().map(m -> e.getValue().getOrDefault(m, 0.0)).toList();
            bars.addSeries(e.getKey().name(), mechanisms, values).setFillColor(Plots.PALETTE[i++ % Plots.PALETTE.length]);
        }
        return bars;
    }
}
