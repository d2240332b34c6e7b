package tcplab.experiment.serverside.listenportcollision;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.experiment.serverside.listenportcollision.Claims.Tally;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C8's report section: the share of failed binds by port and occupancy, measured and modelled. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<Case, TreeMap<Double, Double>> measured = new LinkedHashMap<>();
        Map<Case, TreeMap<Double, Double>> modelled = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("configuration", "connections / usable ports", "port", "trials", "bind failed", "model",
                "failed without an outgoing connection on the port").numeric("trials", "bind failed", "model",
                "failed without an outgoing connection on the port");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "");
                continue;
            }
            int[] byParity = TcpModel.usablePortsByParity(r.sysctls());
            int usable = byParity[0] + byParity[1];
            Map<Case, Tally> tallies = Claims.tally(BindRow.TABLE.read(data, r));
            Map<Case, Integer> ports = ListenPortCollisionExperiment.ports(r.sysctls());
            tallies.forEach((c, t) -> {
                double occupancy = 100.0 * t.connections() / usable;
                double p = Claims.model(c, t.connections(), byParity);
                measured.computeIfAbsent(c, k -> new TreeMap<>()).put(occupancy, t.rate());
                modelled.computeIfAbsent(c, k -> new TreeMap<>()).put(occupancy, p);
                table.row(r.label(), String.format(Locale.ROOT, "%d / %d (%.0f%%)", t.connections(), usable, occupancy),
                        ports.getOrDefault(c, 0) + ", " + c.text, t.trials(), String.format(Locale.ROOT, "%d (%.0f%%)", t.failed(),
                                100 * t.rate()), String.format(Locale.ROOT, "%.0f%%", 100 * p), t.failedNotHeld());
            });
        }
        StringBuilder md = new StringBuilder("The client host holds outgoing connections on a share of its port range, then a server"
                + " tries to listen on four of its ports; the connections are reset and the trial repeats. connect() tries the"
                + " ports of one parity first (that of the range's low end), so a port's chance of being taken depends on its parity;"
                + " averaged over both it is the share of the range in use. Ports below the range or listed in"
                + " ip_local_reserved_ports are never taken.\n\n");
        if (!measured.isEmpty()) {
            md.append(chart(data, measured, modelled));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    private static String chart(ExperimentData data, Map<Case, TreeMap<Double, Double>> measured,
                                Map<Case, TreeMap<Double, Double>> modelled) throws IOException {
        Map<String, double[][]> series = Plots.series();
        Map<String, double[][]> model = Plots.series();
        measured.forEach((c, points) -> series.put("measured: " + c.text, Plots.xy(points)));
        modelled.forEach((c, points) -> {
            if (c == Case.FIRST_PARITY || c == Case.OTHER_PARITY) {
                model.put("model: " + c.text, Plots.xy(points));
            }
        });
        if (measured.containsKey(Case.FIRST_PARITY) && measured.containsKey(Case.OTHER_PARITY)) {
            series.put("measured: inside the range, either parity", average(measured.get(Case.FIRST_PARITY), measured.get(Case.OTHER_PARITY)));
            model.put("model: inside the range, either parity = share in use", average(modelled.get(Case.FIRST_PARITY),
                    modelled.get(Case.OTHER_PARITY)));
        }
        String title = "Chance that a server cannot listen, profile " + data.profile();
        XYChart chart = Plots.lines(title, "share of the usable port range held by outgoing connections (%)",
                "share of trials where bind() failed", series, model);
        data.charts().save(chart, "listen-port-collision");
        return new Drawn("listen-port-collision", title, "Share of trials in which a server could not listen, by port and by the"
                + " share of the range in use; dashed: the model. Below the range and reserved stay at 0.").markdown("charts");
    }

    private static double[][] average(TreeMap<Double, Double> a, TreeMap<Double, Double> b) {
        TreeMap<Double, Double> mean = new TreeMap<>();
        a.forEach((x, y) -> {
            if (b.containsKey(x)) {
                mean.put(x, (y + b.get(x)) / 2);
            }
        });
        return Plots.xy(mean);
    }
}
