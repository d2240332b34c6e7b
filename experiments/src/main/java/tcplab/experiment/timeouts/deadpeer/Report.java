package tcplab.experiment.timeouts.deadpeer;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
        List<Row> chart = new ArrayList<>();
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
            for (DetectionRow row : rows) {
                Claims.Expectation e = Claims.expectation(fault, row.mechanism(), p, r.sysctls(), row.idleBeforeFault());
                chart.add(new Row(fault, rowLabel(row.mechanism(), p, r.sysctls()), row, e, w));
                table.row(fault, Claims.label(row.mechanism(), p, r.sysctls()), e.detects() ? String.format(Locale.ROOT, "%.1f s", e.model()) : "never",
                        Claims.measured(row, w), row.how());
            }
        }
        StringBuilder md = new StringBuilder("A client holds four idle connections, one per mechanism, and the server fails one way. The"
                + " model: keepalive ends a connection idle time + probes × interval after its last activity (with the kernel's"
                + " defaults, 7200 + 9 × 75 s = 2 h 11 min: the plans scale the sysctls down to see it happen); a stopped process's"
                + " kernel still answers the probes, so keepalive never fires; a killed process's kernel closes the connection, so"
                + " every mechanism sees it at once; a heartbeat notices within its interval plus its deadline.\n\n");
        if (!chart.isEmpty()) {
            data.charts().save(colour(chart(chart), data), "dead-peer");
            md.append(new Drawn("dead-peer", TITLE, String.format(Locale.ROOT, "One row per fault and mechanism, seconds from the fault:"
                    + " circles, when the client noticed (the value written beside it); an arrow at the window (%d s), not noticed"
                    + " within it; red diamonds, the model (none: the model says never). Keepalive (sysctls) ran with the scaled values"
                    + " its row gives, not the kernel's 7200 + 9 × 75 s.", window)).markdown("charts"));
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

    static final String TITLE = "How long until a dead or hung peer is noticed, by each mechanism?";
    private static final String CENSORED_PREFIX = "not noticed within ";

    /** One row of the chart: a mechanism under a fault, what it saw and what the model says. */
    record Row(Fault fault, String label, DetectionRow detection, Claims.Expectation model, int window) {
    }

    /** A row's name: the fault and the mechanism, the sysctl keepalive with the scaled values it ran with. */
    static String rowLabel(Mechanism m, Params p, Map<String, String> sysctls) {
        Claims.Keepalive k = Claims.Keepalive.of(m, p, sysctls);
        return switch (m) {
            case KEEPALIVE_DEFAULT -> k.equals(Claims.Keepalive.DEFAULTS) ? "keepalive (sysctls, the defaults " + k.sum() + ")"
                    : "keepalive (sysctls scaled to " + k.sum() + "; default 7200 + 9 × 75 s)";
            case KEEPALIVE_TUNED -> "keepalive (socket, " + k.sum() + ")";
            case HEARTBEAT -> "heartbeat (every " + p.integer("heartbeat") + " ms, deadline " + p.integer("deadline") + " ms)";
            case NONE -> "nothing (no keepalive, no heartbeat)";
        };
    }

    /**
     * The detection chart: one row per fault and mechanism, the time from the fault until the client
     * noticed (written beside it, so a kill's near-zero shows), censored at the window when it did not,
     * and the model's time as a red diamond. Measured series are named by fault, for the report's colours.
     */
    static XYChart chart(List<Row> rows) {
        int window = rows.stream().mapToInt(Row::window).max().orElse(1);
        double end = window * 1.15;
        XYChart chart = Plots.timeline(TITLE, "seconds after the fault", rows.stream().map(r -> r.fault() + ": " + r.label()).toList(),
                false, end / 2);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(end);
        Map<Fault, List<double[]>> noticed = new LinkedHashMap<>();
        Map<Integer, List<double[]>> censored = new java.util.TreeMap<>();
        List<double[]> model = new ArrayList<>();
        List<AnnotationText> values = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            noticed.computeIfAbsent(r.fault(), k -> new ArrayList<>());
            if (r.detection().noticed()) {
                double at = r.detection().noticedAfter();
                noticed.get(r.fault()).add(new double[] {at, -i + 0.08});
                values.add(new Plots.Label(String.format(Locale.ROOT, "%.2f s", at), at + end * 0.035, -i + 0.08, false));
            } else {
                censored.computeIfAbsent(r.window(), k -> new ArrayList<>()).add(new double[] {r.window(), -i + 0.08});
            }
            if (r.model().detects()) {
                model.add(new double[] {r.model().model(), -i - 0.15});
            }
        }
        int c = 0;
        for (Map.Entry<Fault, List<double[]>> e : noticed.entrySet()) {
            Plots.marks(chart, e.getKey().name(), e.getValue(), SeriesMarkers.CIRCLE, Plots.PALETTE[c++ % Plots.PALETTE.length]);
        }
        censored.forEach((w, points) -> Plots.marks(chart, CENSORED_PREFIX + w + " s", points, new Plots.Censored(false), Color.BLACK));
        Plots.marks(chart, "model", model, SeriesMarkers.DIAMOND, Plots.MODEL);
        values.forEach(chart::addAnnotation);
        return chart;
    }

    /** The report's colours for the faults; the censored arrows stay black. */
    private static XYChart colour(XYChart chart, ExperimentData data) {
        Plots.colourBy(chart, data.charts());
        chart.getSeriesCollection().stream().filter(s -> s.getName().startsWith(CENSORED_PREFIX)).forEach(s -> {
            s.setMarkerColor(Color.BLACK);
            s.setLineColor(Color.BLACK);
        });
        return chart;
    }
}
