package tcplab.experiment.timewait.timewaitlifetime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        List<String> labels = new ArrayList<>();
        List<Double> measured = new ArrayList<>();
        List<Double> model = new ArrayList<>();
        Markdown.Table table = new Markdown.Table("configuration", "state", "sockets", "lifetime min / median / max", "measured by", "model")
                .numeric("sockets", "model");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            double finTimeout = Claims.finTimeout(r.sysctls());
            for (Lifetimes l : Claims.lifetimes(data, r)) {
                labels.add(l.kind() + " fin_timeout=" + (long) finTimeout + " " + r.path());
                measured.add(l.median());
                model.add(l.model());
                table.row(r.label(), l.kind(), l.seconds().size(), String.format(Locale.ROOT, "%.1f / %.1f / %.1f s", l.min(), l.median(), l.max()),
                        l.observed() ? "observation" : "kernel timer", String.format(Locale.ROOT, "%.0f s", l.model()));
            }
        }
        StringBuilder md = new StringBuilder("The client closes first; half of its connections end in TIME_WAIT (the server closes"
                + " after it), half wait in FIN_WAIT_2 (the server never closes). The lab follows each socket in the client host's"
                + " socket table until it leaves. The model: TIME_WAIT lasts 60 s whatever tcp_fin_timeout says; an orphaned FIN_WAIT_2"
                + " lasts tcp_fin_timeout.\n\n");
        if (!labels.isEmpty()) {
            String title = "How long sockets stay after close(), profile " + data.profile();
            CategoryChart chart = Plots.bars(title, "seconds after close() (median)", false, 0, false);
            chart.addSeries("measured (median)", labels, measured).setFillColor(Plots.PALETTE[0]);
            Plots.modelMarkers(chart, "model: 60 s for TIME_WAIT, tcp_fin_timeout for FIN_WAIT_2", labels, model);
            data.charts().save(chart, experiment.name());
            md.append(new Drawn(experiment.name(), title, "Median seconds from close() until the socket left the client's socket table"
                    + " (or, past the watch, until its kernel timer fires); diamonds: the model.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }
}
