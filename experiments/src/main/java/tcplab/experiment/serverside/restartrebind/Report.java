package tcplab.experiment.serverside.restartrebind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.chart.Markdown;
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
        List<Matrix.Cell> cells = new ArrayList<>();
        Map<String, Boolean> javaDefaults = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("old SO_REUSEADDR", "new SO_REUSEADDR", "left on the port", "model", "first bind()",
                "bound after");
        for (RunData.Result r : data.trials()) {
            Setup s = Setup.of(data.params(r));
            if (!r.ok()) {
                table.row(s.oldReuse(), s.newReuse(), s.leftover(), "", "not measured: " + r.status(), "");
                cells.add(Matrix.Cell.notMeasured(s, data.charts().colour(r.label())));
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
            cells.add(Matrix.Cell.of(s, o, data.charts().colour(r.label())));
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
        if (!cells.isEmpty()) {
            md.append(chart(data, cells));
        }
        md.append(table.markdown()).append("\n");
        Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** The matrix: old × new SO_REUSEADDR × what was left, each cell measured against the model. */
    private static String chart(ExperimentData data, List<Matrix.Cell> cells) throws IOException {
        data.charts().save(new Matrix(cells), "restart-rebind");
        return new Drawn("restart-rebind", Matrix.TITLE, "Each cell: what the new server's bind() did, retried every 100 ms, and in"
                + " red what the model expects (Linux lets it bind over leftover connections only when they and the new socket both"
                + " have SO_REUSEADDR). Bars: how long bind() kept failing, on the column's time scale; hatched with an arrow where"
                + " the retry window ended first, so the true time is longer. The stripe at each cell's left is the configuration's"
                + " colour in the report's other figures.").markdown("charts");
    }
}
