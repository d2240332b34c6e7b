package tcplab.experiment.timeouts.connecttimeout;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;

/** C10's report section: the SYN schedule each configuration predicts against what connect() did, as a table and a SYN timeline per configuration. */
final class Report {
    private static final String CUT = "application's connect timeout";
    static final String TITLE = "When does connect() send each SYN, and when does it give up, if every SYN is dropped?";

    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        List<Timeline> timelines = new ArrayList<>();
        Markdown.Table table = new Markdown.Table("configuration", "model: SYNs sent at", "model: fails at", "measured",
                "SYNs sent (model / dropped)", "retransmissions seen at").numeric("model: fails at", "measured");
        for (RunData.Result r : data.trials()) {
            List<AttemptRow> attempts = AttemptRow.TABLE.read(data, r);
            if (!r.ok() || attempts.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            int connectTimeout = data.params(r).integer("connectTimeout");
            Model m = Model.of(r.sysctls(), connectTimeout);
            List<TotalsRow> totals = TotalsRow.TABLE.read(data, r);
            timelines.add(new Timeline(label(m, connectTimeout), m, attempts, SynRow.TABLE.read(data, r)));
            String sends = m.appWins() ? Model.schedule(Arrays.copyOf(m.kernel().sendTimes(), m.syns())) + ", then the application gives up"
                    : Model.schedule(m.kernel().sendTimes());
            table.row(r.label(), sends, String.format(Locale.ROOT, "%.1f s", m.failsAfter()),
                    String.join(", ", attempts.stream().map(a -> String.format(Locale.ROOT, "%.2f s", a.seconds())).toList()),
                    m.syns() + " / " + (totals.isEmpty() ? "?" : Long.toString(totals.get(0).synsDropped() / attempts.size())),
                    retransmissionTimes(SynRow.TABLE.read(data, r), attempts.get(0)));
        }
        StringBuilder md = new StringBuilder("The server host drops every SYN to the server's port; the client connects with no timeout of"
                + " its own, or with one. The model (net/ipv4/tcp_timer.c, Documentation/networking/ip-sysctl.rst): SYN timeouts start"
                + " at 1 s, the first tcp_syn_linear_timeouts retransmissions keep it, then it doubles up to tcp_rto_max_ms; when a"
                + " timeout fires, connect() fails if tcp_syn_retries + tcp_syn_linear_timeouts retransmissions were made or"
                + " 2^(tcp_syn_retries + 1) - 1 s have passed since the first SYN. tcp_syn_linear_timeouts (added in 2023) mostly sends"
                + " more SYNs early rather than changing the wait: with the defaults, 6 and 4, the last SYN goes out at 67 s instead of"
                + " 63 s and connect() fails after 131 s instead of the 127 s older write-ups give; with 1 or 2 retries the time limit"
                + " ends it at 3 or 7 s either way. An application timeout shorter than that wins.\n\n");
        if (!timelines.isEmpty()) {
            Drawn chart = new Drawn("connect-timeout", TITLE, "One row per configuration, seconds since connect() began: circles, each SYN"
                    + " as the socket table saw it; red diamonds, the model's schedule (net/ipv4/tcp_timer.c); black stroke, when"
                    + " connect() failed; red dashed, when the model fails it; grey, where the application's own connect timeout cuts it.");
            XYChart c = chart(timelines);
            Plots.colourBy(c, data.charts());
            references(c, timelines);
            data.charts().save(c, chart.name());
            md.append(chart.markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** One configuration's row of the chart: its connects and the SYNs the socket table showed, against its model. */
    record Timeline(String label, Model model, List<AttemptRow> attempts, List<SynRow> syns) {
    }

    /** A row's name: the keys the plans vary, short enough for a legend. */
    static String label(Model m, int connectTimeoutMs) {
        return "syn_retries=" + m.retries() + " linear=" + m.linear() + (connectTimeoutMs > 0 ? " timeout=" + connectTimeoutMs + " ms" : "");
    }

    /**
     * The SYN timeline: per configuration (a row), each SYN of each connect at its time since that connect
     * began (measured above the row's line, the model's schedule below it), and the model's give-up.
     * The measured give-ups and the application's cut are {@link #references}, added after the
     * configurations are coloured.
     */
    static XYChart chart(List<Timeline> timelines) {
        double end = 0;
        for (Timeline t : timelines) {
            end = Math.max(end, t.model().failsAfter());
            for (AttemptRow a : t.attempts()) {
                end = Math.max(end, a.seconds());
            }
        }
        end *= 1.05;
        List<String> labels = Plots.unique(timelines.stream().map(Timeline::label).toList());
        XYChart chart = Plots.timeline(TITLE, "seconds since connect() began", labels, false, end / 2);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(end);
        List<double[]> modelSyns = new ArrayList<>();
        List<double[]> modelFails = new ArrayList<>();
        for (int row = 0; row < timelines.size(); row++) {
            Timeline t = timelines.get(row);
            Map<Integer, Long> starts = new LinkedHashMap<>();
            t.attempts().forEach(a -> starts.put(a.attempt(), a.startMs()));
            List<double[]> seen = new ArrayList<>();
            for (SynRow s : t.syns()) {
                Long start = starts.get(s.attempt());
                if (start != null) {
                    seen.add(new double[] {(s.atMs() - start) / 1000.0, -row + 0.1});
                }
            }
            Plots.marks(chart, labels.get(row), seen, SeriesMarkers.CIRCLE, Plots.PALETTE[row % Plots.PALETTE.length]);
            Model m = t.model();
            for (double at : Arrays.copyOf(m.kernel().sendTimes(), m.syns())) {
                modelSyns.add(new double[] {at, -row - 0.12});
            }
            modelFails.add(new double[] {m.failsAfter(), -row - 0.3, -row - 0.02});
        }
        // the application's cut under the model's give-up, which for such a row is at the same time
        List<double[]> cuts = new ArrayList<>();
        for (int row = 0; row < timelines.size(); row++) {
            if (timelines.get(row).model().appSeconds() > 0) {
                cuts.add(new double[] {timelines.get(row).model().appSeconds(), -row - 0.32, -row + 0.28});
            }
        }
        Plots.strokes(chart, CUT, cuts, false, Color.GRAY);
        Plots.marks(chart, "model: SYN sent", modelSyns, SeriesMarkers.DIAMOND, Plots.MODEL);
        Plots.strokes(chart, "model: connect() fails", modelFails, true, Plots.MODEL);
        return chart;
    }

    /** What is no configuration's colour, after {@link Plots#colourBy}: the application's cut in grey, and when each connect() failed. */
    static void references(XYChart chart, List<Timeline> timelines) {
        XYSeries cut = chart.getSeries(CUT);
        if (cut != null) {
            cut.setLineColor(Color.GRAY);
        }
        List<double[]> failed = new ArrayList<>();
        for (int row = 0; row < timelines.size(); row++) {
            for (AttemptRow a : timelines.get(row).attempts()) {
                failed.add(new double[] {a.seconds(), -row + 0.02, -row + 0.26});
            }
        }
        Plots.strokes(chart, "measured: connect() failed", failed, false, Color.BLACK);
    }

    /** When the kernel counted each retransmission of the first attempt, seconds after its connect() began. */
    private static String retransmissionTimes(List<SynRow> syns, AttemptRow first) {
        List<String> at = new ArrayList<>();
        for (SynRow s : syns) {
            if (s.attempt() == 1 && s.retransmits() != 0) {
                at.add(String.format(Locale.ROOT, "%.2f", (s.atMs() - first.startMs()) / 1000.0));
            }
        }
        return at.isEmpty() ? "" : String.join(", ", at) + " s";
    }
}
