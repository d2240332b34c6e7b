package tcplab.experiment.timewait.portrangecost;

import java.io.IOException;
import java.util.HashMap;
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
        Map<String, String> colours = new HashMap<>();
        List<RunData.Result> ok = data.trials().stream().filter(RunData.Result::ok).toList();
        List<String> legends = Plots.varying(ok.stream().map(Report::conditions).toList(), "");
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
            String legend = legends.get(ok.indexOf(r));
            legend = (legend.isEmpty() ? "" : legend + ", ") + String.format(Locale.ROOT, "N = %,d ports", ports);
            p50.put(legend, new double[][] {x, y});
            colours.put(legend, r.label());
        }
        StringBuilder md = new StringBuilder("The client fills the ephemeral range with TIME_WAIT step by step and times connects at each"
                + " step (closed with an RST, so they leave the occupancy as it is). The model: the kernel's search resumes past the last"
                + " port it handed out and tries one parity first, so the cost is flat until that parity's N/2 ports are all held, then"
                + " every connect() examines all of them first.\n\n");
        if (!p50.isEmpty()) {
            String title = TITLE;
            XYChart chart = chart(title, p50);
            Plots.colourBy(chart, data.charts(), colours::get);
            data.charts().save(chart, "port-range-cost");
            md.append(new Drawn("port-range-cost", title, "Median connect() latency at each occupancy, a line per configuration; dashed red:"
                    + " the model's step, where one parity's N/2 ports are all held and every connect() scans them first.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), List.of());
    }

    static final String TITLE = "Does connect() slow down once half the port range is held in TIME_WAIT?";
    static final String MODEL = "model: step at N/2 held (one parity)";

    /**
     * Median connect() latency against occupancy, and the model as a dashed vertical line at 50 %: the
     * model says where the cost steps up, not by how much (that is the machine's scan speed).
     */
    static XYChart chart(String title, Map<String, double[][]> p50) {
        java.util.DoubleSummaryStatistics y = p50.values().stream().flatMapToDouble(xy -> java.util.Arrays.stream(xy[1]))
                .filter(v -> !Double.isNaN(v)).summaryStatistics();
        Map<String, double[][]> model = Plots.series();
        // from the lowest median, not zero: a log axis (medians spanning more than 20x) has no zero
        model.put(MODEL, new double[][] {{50, 50}, {y.getCount() == 0 ? 0 : y.getMin(), y.getCount() == 0 ? 1 : y.getMax()}});
        return Plots.lines(title, "share of the ephemeral range in TIME_WAIT (%)", "connect() latency, median (µs)", p50, model);
    }

    /** What a legend may name: the probe count is how the latency was sampled, not a condition of it. */
    private static Map<String, String> conditions(RunData.Result r) {
        Map<String, String> c = new java.util.LinkedHashMap<>(r.conditions());
        c.remove("probes");
        return c;
    }

    private static String micros(Long us) {
        return us == null ? "" : Format.micros(us);
    }
}
