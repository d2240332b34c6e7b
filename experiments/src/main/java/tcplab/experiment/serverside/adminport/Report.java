package tcplab.experiment.serverside.adminport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
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
        Map<String, double[][]> queues = Plots.series();
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
            latency.put(name + ": answered (ms)", Plots.xy(ok));
            latency.put(name + ": no answer within the deadline", Plots.xy(failed));
            queues.put(name + ": business port's accept queue", Plots.overTime(samples, SampleRow::atMs, timeline.t0, SampleRow::businessAcceptQueue));
            if (separate) {
                queues.put(name + ": management port's accept queue", Plots.overTime(samples, SampleRow::atMs, timeline.t0, SampleRow::adminAcceptQueue));
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
            String title = "Management requests over time, profile " + data.profile();
            XYChart chart = Plots.points(title, "seconds since the first probe", "time to answer (ms)", latency, null);
            Plots.phaseLines(chart, marks);
            data.charts().save(chart, "admin-port-probes");
            md.append(new Drawn("admin-port-probes", title, "Each management request: the time it took when answered, or a mark at"
                    + " the deadline when it was not. Vertical lines: the downstream gets stuck, then recovers.").markdown("charts"));
            String qTitle = "Accept queues over time, profile " + data.profile();
            XYChart q = Plots.lines(qTitle, "seconds since the first probe", "connections waiting to be accepted", queues, null);
            Plots.phaseLines(q, marks);
            data.charts().save(q, "admin-port-accept-queues");
            md.append(new Drawn("admin-port-accept-queues", qTitle, "Connections the kernel completed but the server has not accepted,"
                    + " sampled every 100 ms; the queue holds at most backlog + 1.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
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
