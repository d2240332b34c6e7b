package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.kernel.TcpModel;
import tcplab.lab.NetworkPath;
import tcplab.results.RunData;
import tcplab.socket.CloseMode;

/** C3's and C4's report section: connections opened against the ceiling, one panel a model, the TIME_WAIT they held, and a row per configuration. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Markdown.Table table = new Markdown.Table("configuration", "ports N", "model", "connections: best 60 s window (all)", "EADDRNOTAVAIL",
                "TIME_WAIT at the end", "verdict").numeric("ports N", "connections: best 60 s window (all)", "EADDRNOTAVAIL", "TIME_WAIT at the end");
        List<RunData.Result> measured = new ArrayList<>();
        List<Charts.Bins> bins = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "", "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            List<SecondRow> seconds = SecondRow.TABLE.read(data, r);
            Trace t = new Trace(seconds);
            measured.add(r);
            bins.add(Charts.Bins.of(BinRow.TABLE.read(data, r), seconds));
            Claim claim = claims.stream().filter(c -> c.where().configuration().equals(r.id())).findFirst().orElseThrow();
            table.row(r.label(), TcpModel.usablePorts(r.sysctls()), claim.metric().label() + " = " + claim.model(),
                    (long) t.maxIn60Seconds() + " (" + t.totalOk + ")", t.totalNoPort, t.lastTimeWait(), claim.verdict().word);
        }
        StringBuilder md = new StringBuilder("One client opens connections to one server as fast as it can, one configuration at a time in"
                + " fresh namespaces, and counts each second and each tenth of one. The model: N usable ports, each held 60 s by TIME_WAIT without reuse (N / 60"
                + " new connections per second, sustained), or tcp_tw_reuse_delay with reuse (N / delay); none with an RST close.\n\n");
        figures(md, data, measured, bins);
        md.append(table.markdown()).append("\n");
        drawn(md, Ladders.draw(data));
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /**
     * The figures: connections opened against the ceiling, one panel a model (no reuse in effect, reuse
     * in effect, an RST close; and a port count, if the run had several), and the TIME_WAIT they held.
     */
    private static void figures(StringBuilder md, ExperimentData data, List<RunData.Result> results, List<Charts.Bins> bins) throws IOException {
        if (results.isEmpty()) {
            return;
        }
        Map<String, List<Charts.Run>> panels = new LinkedHashMap<>();
        List<Charts.Run> all = new ArrayList<>();
        List<String> everywhere = Plots.varying(results.stream().map(Report::conditions).toList(), "measured");
        Map<String, String> configuration = new HashMap<>();
        boolean severalRanges = results.stream().map(r -> TcpModel.usablePorts(r.sysctls())).distinct().count() > 1;
        for (int i = 0; i < results.size(); i++) {
            RunData.Result r = results.get(i);
            Charts.Run run = Charts.Run.of(r.label(), everywhere.get(i), data.params(r).choice("closeMode", CloseMode.class), r.sysctls(),
                    r.path().equals(NetworkPath.LOOPBACK.label()), bins.get(i));
            all.add(run);
            configuration.put(run.legend(), r.label());
            String name = "port-exhaustion-rate-" + run.mode() + (run.reuse() ? "-reuse" : "") + (severalRanges ? "-" + run.ports() : "");
            panels.computeIfAbsent(name, k -> new ArrayList<>()).add(run);
        }
        for (Map.Entry<String, List<Charts.Run>> panel : panels.entrySet()) {
            List<Charts.Run> runs = panel.getValue();
            // within a panel, only what varies within it
            List<String> legends = runs.size() == 1 ? List.of(runs.get(0).legend())
                    : Plots.varying(runs.stream().map(run -> conditions(results.get(all.indexOf(run)))).toList(), "measured");
            List<Charts.Run> named = new ArrayList<>();
            Map<String, String> colours = new HashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                Charts.Run run = runs.get(i);
                named.add(new Charts.Run(run.configuration(), legends.get(i), run.mode(), run.ports(), run.holdMillis(), run.bins()));
                colours.put(legends.get(i), run.configuration());
            }
            Charts.Run first = named.get(0);
            String ports = String.format(Locale.ROOT, "%,d", first.ports());
            String title = first.holdMillis() == 0 ? "With an RST close (no TIME_WAIT), do the " + ports + " ports ever run out?"
                    : first.reuse() ? "With tcp_tw_reuse in effect, how soon do the " + ports + " ports come back?"
                    : "With no TIME_WAIT reuse in effect, how many connections before the " + ports + " ports run out?";
            XYChart chart = Charts.opened(title, named);
            Plots.colourBy(chart, data.charts(), colours::get);
            data.charts().save(chart, panel.getKey());
            drawn(md, new Drawn(panel.getKey(), title, "Connections completed since the client began, counted in bins of " + first.bins().unit()
                    + ", one line per configuration; dashed red: " + (first.holdMillis() == 0 ? "the N ports, which with no TIME_WAIT are no"
                    + " ceiling" : "the model's ceiling, N more per hold") + "; crosses: bins in which connect() failed with EADDRNOTAVAIL. A flat stretch longer than a bin is the client waiting in connect() (a SYN resent after 1 s, for one): the line stays flat until the bin that ended it."));
        }
        String title = "Does TIME_WAIT hold every local port, and does an RST close leave any?";
        XYChart chart = Charts.timeWait(title, all);
        Plots.colourBy(chart, data.charts(), configuration::get);
        data.charts().save(chart, "port-exhaustion-time-wait");
        drawn(md, new Drawn("port-exhaustion-time-wait", title, "Sockets in TIME_WAIT in the client's namespace at the end of each bin"
                + " (sockstat), every configuration; dashed red: the N usable ports, one TIME_WAIT socket each at most."));
    }

    /** What a legend may name, short: the run's length is on the x axis already, and CLIENT_FIN says no more than FIN. */
    static Map<String, String> conditions(RunData.Result r) {
        Map<String, String> c = new LinkedHashMap<>(r.conditions());
        c.remove("seconds");
        c.computeIfPresent("closeMode", (k, v) -> v.replaceFirst("^CLIENT_", ""));
        return c;
    }

    private static void drawn(StringBuilder md, Drawn d) {
        if (d != null) {
            md.append(d.markdown("charts"));
        }
    }
}
