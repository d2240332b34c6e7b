package tcplab.experiment.timewait.portrangecost;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/** The section: connect() latency at each occupancy, a line per configuration and a table row per level. It tests no claim; it explains C3's scan. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data) throws IOException {
        Map<String, double[][]> p50 = Plots.series();
        Markdown.Table table = new Markdown.Table("configuration", "ports N", "occupancy", "connect p50", "p99", "max", "failed probes")
                .numeric("ports N", "occupancy", "connect p50", "p99", "max", "failed probes");
        for (RunData.Result r : data.trials()) {
            List<LevelRow> rows = LevelRow.TABLE.read(data, r);
            if (!r.ok() || rows.isEmpty()) {
                table.row(r.label(), "", "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            int ports = TcpModel.usablePorts(r.sysctls());
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                LevelRow row = rows.get(i);
                x[i] = row.occupancyPercent();
                y[i] = row.connectP50Us() == null ? Double.NaN : row.connectP50Us();
                table.row(r.label(), ports, String.format(Locale.ROOT, "%.1f %%", row.occupancyPercent()), micros(row.connectP50Us()),
                        micros(row.connectP99Us()), micros(row.connectMaxUs()), row.failed());
            }
            p50.put(r.label() + " (N = " + ports + ")", new double[][] {x, y});
        }
        StringBuilder md = new StringBuilder("The client fills the ephemeral range with TIME_WAIT step by step and times connects at each"
                + " step (closed with an RST, so they leave the occupancy as it is). The model: the kernel's search resumes past the last"
                + " port it handed out and tries one parity first, so the cost is flat until that parity's N/2 ports are all held, then"
                + " every connect() examines all of them first.\n\n");
        if (!p50.isEmpty()) {
            String title = "connect() latency against port range occupancy, profile " + data.profile();
            XYChart chart = Plots.lines(title, "share of the ephemeral range in TIME_WAIT (%)", "connect() p50 (µs)", p50, null);
            data.charts().save(chart, "port-range-cost");
            md.append(new Drawn("port-range-cost", title, "Median connect() latency at each occupancy; expect a step at 50 %.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), List.of());
    }

    private static String micros(Long us) {
        return us == null ? "" : Format.micros(us);
    }
}
