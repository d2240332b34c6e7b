package tcplab.experiment.timewait.timewaitlifetime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.timewait.timewaitlifetime.Claims.Lifetimes;
import tcplab.results.RunData;

/** C2's report section: how long each kind of closed socket stayed, as a chart and a table. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        List<Bar> bars = new ArrayList<>();
        List<RunData.Result> ok = data.trials().stream().filter(RunData.Result::ok).toList();
        List<String> legends = Plots.varying(ok.stream().map(RunData.Result::conditions).toList(), "measured");
        Markdown.Table table = new Markdown.Table("configuration", "state", "sockets", "lifetime min / median / max", "measured by", "model")
                .numeric("sockets", "model");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            for (Lifetimes l : Claims.lifetimes(data, r)) {
                bars.add(new Bar(r.label(), legends.get(ok.indexOf(r)), String.valueOf(l.kind()), l.median(), l.model(), l.observed()));
                table.row(r.label(), l.kind(), l.seconds().size(), String.format(Locale.ROOT, "%.1f / %.1f / %.1f s", l.min(), l.median(), l.max()),
                        l.observed() ? "observation" : "kernel timer", String.format(Locale.ROOT, "%.0f s", l.model()));
            }
        }
        StringBuilder md = new StringBuilder("The client closes first; half of its connections end in TIME_WAIT (the server closes"
                + " after it), half wait in FIN_WAIT_2 (the server never closes). The lab follows each socket in the client host's"
                + " socket table until it leaves. The model: TIME_WAIT lasts 60 s whatever tcp_fin_timeout says; an orphaned FIN_WAIT_2"
                + " lasts tcp_fin_timeout.\n\n");
        if (!bars.isEmpty()) {
            String title = TITLE;
            CategoryChart chart = chart(title, bars);
            Map<String, String> colours = new HashMap<>();
            bars.forEach(b -> colours.put(b.legend(), b.configuration()));
            Plots.colourBy(chart, data.charts(), colours::get);
            data.charts().save(chart, experiment.name());
            md.append(new Drawn(experiment.name(), title, "Median seconds from close() until the socket left the client's socket table"
                    + " (or, past the watch, until its kernel timer fires); diamonds: the model. \"timer read\": the socket outlived the"
                    + " watch, so its lifetime is its kernel timer as the socket table showed it, not a departure seen.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    static final String TITLE = "How long does a socket stay after close(): does tcp_fin_timeout shorten TIME_WAIT?";
    static final String MODEL = "model: 60 s; FIN_WAIT2 tcp_fin_timeout";

    /** One bar: its configuration (full label, its colour's key) and legend, the state it measured, median and model. */
    record Bar(String configuration, String legend, String kind, double median, double model, boolean observed) {
        /** A bar a category: the state, the configuration unless there is only one, and "timer read" where none was seen to leave. */
        String category() {
            return (legend.equals("measured") ? kind : kind + ", " + legend) + (observed ? "" : " · timer read");
        }
    }

    /** Median lifetime per state and configuration, a bar series a configuration (so each keeps its colour), the model as diamonds. */
    static CategoryChart chart(String title, List<Bar> bars) {
        List<String> categories = bars.stream().map(Bar::category).distinct().toList();
        CategoryChart chart = Plots.bars(title, "seconds from close() until it left (median)", false, 0, false);
        chart.setXAxisTitle("state after close(), configuration");
        for (String legend : bars.stream().map(Bar::legend).distinct().toList()) {
            List<Double> values = new ArrayList<>();
            for (String c : categories) {
                values.add(bars.stream().filter(b -> b.legend().equals(legend) && b.category().equals(c)).map(Bar::median).findFirst().orElse(null));
            }
            chart.addSeries(legend, categories, values);
        }
        Plots.modelMarkers(chart, MODEL, categories, categories.stream().map(c -> bars.stream().filter(b -> b.category().equals(c))
                .mapToDouble(Bar::model).findFirst().orElse(Double.NaN)).toList());
        return chart;
    }
}
