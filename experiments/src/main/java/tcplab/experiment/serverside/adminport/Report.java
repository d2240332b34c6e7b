package tcplab.experiment.serverside.adminport;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
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
import tcplab.experiment.LineRequest;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.serverside.adminport.AdminPortExperiment.Mode;
import tcplab.experiment.serverside.adminport.Timeline.Phase;
import tcplab.experiment.serverside.adminport.Timeline.Tally;
import tcplab.results.RunData;
import tcplab.results.Stats;

/** C9's report section: each probe over time, the accept queues, and the probes of each phase. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<String, double[][]> latency = Plots.series();
        Map<String, double[][]> unanswered = Plots.series();
        Map<String, double[][]> latencyModel = Plots.series();
        Map<String, double[][]> queues = Plots.series();
        Map<String, double[][]> queueModel = Plots.series();
        Map<String, Color> colours = new LinkedHashMap<>();
        List<Double> marks = new ArrayList<>();
        Markdown.Table table = new Markdown.Table("configuration", "phase", "probes", "answered", "connected, no answer",
                "did not connect", "median answer", "ListenOverflows")
                .numeric("probes", "answered", "connected, no answer", "did not connect", "median answer", "ListenOverflows");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "", "");
                continue;
            }
            Params p = data.params(r);
            List<SampleRow> samples = SampleRow.TABLE.read(data, r);
            Timeline timeline = Timeline.of(p, r.sysctls(), EventRow.TABLE.read(data, r), samples);
            if (timeline == null) {
                table.row(r.label(), "ended early", "", "", "", "", "", "");
                continue;
            }
            List<ProbeRow> probes = ProbeRow.TABLE.read(data, r);
            Map<Phase, List<Double>> answered = new EnumMap<>(Phase.class);
            List<double[]> ok = new ArrayList<>();
            List<double[]> failed = new ArrayList<>();
            for (ProbeRow probe : probes) {
                Phase phase = timeline.counted(probe);
                if (phase == null) {
                    continue;
                }
                double seconds = timeline.seconds(probe.atMs());
                if (probe.outcome() == LineRequest.Outcome.ANSWERED) {
                    double ms = probe.totalUs() / 1000.0;
                    answered.computeIfAbsent(phase, k -> new ArrayList<>()).add(ms);
                    ok.add(new double[] {seconds, ms});
                } else {
                    failed.add(new double[] {seconds, timeline.deadlineMillis});
                }
            }
            boolean separate = p.choice("mode", Mode.class) == Mode.SEPARATE;
            String name = separate ? "separate port" : "shared port";
            colours.put(name, data.charts().colour(r.label()));
            latency.put(name + ": answered", Plots.xy(ok));
            unanswered.put(name + ": no answer in " + timeline.deadlineMillis + " ms", Plots.xy(failed));
            double saturated = timeline.seconds(timeline.start(Phase.SATURATED));
            double recovered = timeline.seconds(timeline.start(Phase.RECOVERED));
            if (!separate) {
                // the model: no probe answered from saturation until one deadline before the recovery (which may answer it)
                latencyModel.put("model: shared port, no answer", new double[][] {{saturated, recovered - timeline.deadlineMillis / 1000.0},
                    {timeline.deadlineMillis, timeline.deadlineMillis}});
            }
            // the business queue full at backlog + 1 (sk_acceptq_is_full) while the pool is stuck
            queueModel.putIfAbsent("model: business queue full (" + timeline.cap + ")", new double[][] {{saturated, recovered},
                {timeline.cap, timeline.cap}});
            queues.put(name + ": business queue", Plots.overTime(samples, SampleRow::atMs, timeline.t0, SampleRow::businessAcceptQueue));
            if (separate) {
                queues.put(name + ": management queue", Plots.overTime(samples, SampleRow::atMs, timeline.t0, SampleRow::adminAcceptQueue));
            }
            marks.addAll(timeline.marks());
            Map<Phase, Tally> byPhase = timeline.tally(probes);
            for (Phase phase : Phase.values()) {
                Tally t = byPhase.getOrDefault(phase, Tally.NONE);
                List<Double> ms = answered.getOrDefault(phase, List.of());
                table.row(r.label(), phase.word(), t.probes(), t.answered(), t.noAnswer(), t.notConnected(),
                        ms.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f ms", Stats.median(ms)), overflowsIn(samples, timeline, phase));
            }
        }
        StringBuilder md = new StringBuilder("The business handler waits on a downstream that hangs; the server stops accepting once its"
                + " threads and queue are full. A client asks the management endpoint for HEALTH every 200 ms, on the business port"
                + " (shared) or on a port with its own thread (separate), through three phases: calm, business traffic with the"
                + " downstream stuck, and the downstream recovered. 'filling' is the stretch after the traffic starts but before the"
                + " pool can be full (plus one deadline); 'saturated' is after it, up to one deadline before the downstream recovers"
                + " (a probe sent later may be answered by the recovery, so it counts in neither).\n\n");
        if (!latency.isEmpty()) {
            data.charts().save(probesChart(latency, unanswered, latencyModel, colours, marks), "admin-port-probes");
            md.append(new Drawn("admin-port-probes", PROBES_TITLE, "Each management request, one colour per configuration: the time it"
                    + " took when answered, or an arrow at the deadline when it was not (its true time is longer). Vertical lines: the"
                    + " downstream gets stuck, then recovers. Dashed red: the model, no answer on a shared port once the pool is"
                    + " full.").markdown("charts"));
            data.charts().save(queuesChart(queues, queueModel, colours, marks), "admin-port-accept-queues");
            md.append(new Drawn("admin-port-accept-queues", QUEUES_TITLE, "Connections the kernel completed but the server has not"
                    + " accepted, sampled every 100 ms. Dashed red: the model, the business queue full at backlog + 1 while the"
                    + " pool is stuck; the management port's own queue stays empty.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    static final String PROBES_TITLE = "Does the management endpoint answer while the business pool is stuck?";
    static final String QUEUES_TITLE = "Which accept queue fills while the business pool is stuck?";

    static XYChart probesChart(Map<String, double[][]> answered, Map<String, double[][]> unanswered, Map<String, double[][]> model,
                               Map<String, Color> colours, List<Double> marks) {
        XYChart chart = Plots.points(PROBES_TITLE, "seconds since the first probe (s)", "time to answer (ms)", answered, model);
        for (var series : chart.getSeriesCollection()) {
            Color c = colours.get(series.getName().split(":")[0]);
            if (c != null) {
                series.setMarkerColor(c);
                series.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        unanswered.forEach((name, xy) -> Plots.censored(chart, name, xy, colours.get(name.split(":")[0])));
        // the model lies on the deadline, where the arrows stand: drawn again after them, thicker, so it shows
        for (String name : model.keySet()) {
            XYSeries drawn = chart.removeSeries(name);
            XYSeries again = chart.addSeries(name, drawn.getXData(), drawn.getYData());
            again.setLineColor(drawn.getLineColor());
            again.setMarker(SeriesMarkers.NONE);
            again.setLineStyle(new BasicStroke(3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        }
        // room above the deadline for the arrows that point past it
        double deadline = unanswered.values().stream().flatMapToDouble(xy -> Arrays.stream(xy[1])).max().orElse(1000);
        chart.getStyler().setYAxisMax(deadline * 4);
        Plots.phaseLines(chart, marks, List.of("downstream stuck", "recovered"), deadline * 2.8, false);
        return chart;
    }

    static XYChart queuesChart(Map<String, double[][]> queues, Map<String, double[][]> model, Map<String, Color> colours,
                               List<Double> marks) {
        XYChart chart = Plots.lines(QUEUES_TITLE, "seconds since the first probe (s)", "connections waiting to be accepted (count)", queues,
                model);
        double top = 1;
        for (var series : chart.getSeriesCollection()) {
            Color c = colours.get(series.getName().split(":")[0]);
            if (c == null) {
                continue; // the model
            }
            boolean management = series.getName().contains("management");
            series.setLineColor(c);
            series.setMarkerColor(c);
            series.setMarker(management ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE);
            series.setLineStyle(new BasicStroke(management ? 1.5f : 2.5f));
            top = Math.max(top, Arrays.stream(series.getYData()).max().orElse(1));
        }
        for (double[][] m : model.values()) {
            top = Math.max(top, m[1][0]);
        }
        chart.getStyler().setYAxisMax(top * 1.12);
        Plots.phaseLines(chart, marks, List.of("downstream stuck", "recovered"), top * 1.07, false);
        return chart;
    }

    /** ListenOverflows counted during a phase, from the server's samples; empty when no sample fell in it. */
    private static String overflowsIn(List<SampleRow> samples, Timeline timeline, Phase phase) {
        Long first = null;
        Long last = null;
        for (SampleRow s : samples) {
            if (s.atMs() < timeline.start(phase) || first == null) {
                first = s.listenOverflows();
            }
            if (s.atMs() >= timeline.start(phase) && s.atMs() < timeline.end(phase)) {
                last = s.listenOverflows();
            }
        }
        return last == null ? "" : Long.toString(last - first);
    }
}
