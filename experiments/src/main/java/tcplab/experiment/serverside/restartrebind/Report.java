package tcplab.experiment.serverside.restartrebind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpSockets;
import tcplab.results.Format;
import tcplab.results.RunData;

/** C7's report section: each configuration's first bind() and how long it took to bind, as a table and a chart. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        List<String> labels = new ArrayList<>();
        List<Double> bound = new ArrayList<>();
        List<Double> failing = new ArrayList<>();
        Map<String, Boolean> javaDefaults = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("old SO_REUSEADDR", "new SO_REUSEADDR", "left on the port", "model", "first bind()",
                "bound after");
        for (RunData.Result r : data.trials()) {
            Setup s = Setup.of(data.params(r));
            if (!r.ok()) {
                table.row(s.oldReuse(), s.newReuse(), s.leftover(), "", "not measured: " + r.status(), "");
                continue;
            }
            Outcome o = Outcome.read(data, r);
            javaDefaults.putAll(o.javaDefaults());
            String model = s.allowed(o.leftSockets()) ? "binds at once" : s.leftover() == Leftover.TIME_WAIT
                    ? "fails until TIME_WAIT ends (60 s)" : "fails while the old process holds its connections";
            String after = o.bound() ? (o.boundAfter() == 0 ? "at once" : String.format(Locale.ROOT, "%.2f s", o.boundAfter()))
                    : String.format(Locale.ROOT, "still failing after %.1f s (%s)", o.windowSeconds(),
                            Format.count(o.attempts(), "attempt"));
            table.row(s.oldReuse(), s.newReuse(), TcpSockets.describe(o.leftover()), model, o.firstBound() ? "bound" : "failed: " + o.error(),
                    after);
            labels.add(s.label());
            bound.add(o.bound() ? o.boundAfter() : null);
            failing.add(o.bound() ? 0.0 : o.windowSeconds());
        }
        StringBuilder md = new StringBuilder("An old server holds connections, then goes: killed (its connections end in TIME_WAIT on the"
                + " server's side, as it closed first), still draining its connections after closing its listener (ESTABLISHED), or"
                + " after its clients closed first (nothing left). A new process binds the same port at once, with SO_REUSEADDR set"
                + " explicitly on or off (the new SO_REUSEADDR column), retrying every 100 ms. The model: Linux allows the bind only"
                + " when the leftover sockets (which inherit the old listener's option) and the new socket both have SO_REUSEADDR.\n\n");
        if (!javaDefaults.isEmpty()) {
            md.append("Java's default, as the new process found it: ");
            List<String> parts = new ArrayList<>();
            javaDefaults.forEach((api, on) -> parts.add(api + " SO_REUSEADDR " + Setup.onOff(on)));
            md.append(String.join(", ", parts)).append(". A Java server that never touches the option therefore restarts at once on"
                    + " Linux; a server in C, or one that turns it off, does not. (The run's metadata.json records the same defaults.)\n\n");
        }
        if (!labels.isEmpty()) {
            md.append(chart(data, labels, bound, failing));
        }
        md.append(table.markdown()).append("\n");
        Plots.Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** Bars: how long until each configuration bound, or how long it still failed. */
    private static String chart(ExperimentData data, List<String> labels, List<Double> bound, List<Double> failing) throws IOException {
        String title = "Time until a restarted server could bind, profile " + data.profile();
        CategoryChart chart = Plots.bars(title, "seconds since the new server's first bind()", false, 0, false);
        chart.addSeries("bound after", labels, bound).setFillColor(Plots.PALETTE[2]);
        chart.addSeries("still failing when the retry window ended", labels, failing).setFillColor(Plots.PALETTE[5]);
        CategorySeries atOnce = chart.addSeries("bound at the first attempt", labels, bound.stream()
                .map(b -> b != null && b == 0 ? 0.0 : null).toList());
        atOnce.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        atOnce.setMarker(SeriesMarkers.CIRCLE);
        atOnce.setMarkerColor(Plots.PALETTE[2]);
        chart.getStyler().setXAxisLabelRotation(30);
        data.charts().save(chart, "restart-rebind");
        return new Drawn("restart-rebind", title, "Green: the new server bound after this long (a dot: at its first attempt). Orange:"
                + " bind() still failed with EADDRINUSE when the retry window ended. Each bar is labelled with SO_REUSEADDR on the old"
                + " listener and on the new one, then what the old server left on the port.")
                .markdown("charts");
    }
}
