package tcplab.experiment.serverside.closewaitleak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.LineRequest.Outcome;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.Handler;
import tcplab.experiment.serverside.closewaitleak.EventRow.Event;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;
import tcplab.results.Format;
import tcplab.results.RunData;

/** C13's report section: sockets, descriptors and requests over time, a table per configuration, and the reconnect. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<String, double[][]> sockets = Plots.series();
        Map<String, double[][]> requests = Plots.series();
        Map<String, double[][]> unanswered = Plots.series();
        Map<String, double[][]> model = Plots.series();
        Map<String, double[][]> requestModel = Plots.series();
        Map<String, Color> colours = new LinkedHashMap<>();
        List<Double> marks = new ArrayList<>();
        Markdown.Table table = new Markdown.Table("configuration", "requests answered (traffic)", "connected, no answer", "did not connect",
                "most CLOSE_WAIT", "most descriptors / limit", "accept() errors", "server CPU while failing", "server memory (RSS)")
                .numeric("requests answered (traffic)", "connected, no answer", "did not connect", "most CLOSE_WAIT",
                        "most descriptors / limit", "accept() errors", "server CPU while failing");
        StringBuilder reconnects = new StringBuilder();
        for (RunData.Result r : data.trials()) {
            Params p = data.params(r);
            Handler handler = p.choice("handler", Handler.class);
            Trace t = Trace.read(data, r);
            if (!r.ok() || !t.complete()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "", "", "");
                continue;
            }
            long t0 = t.t0();
            String who = handler == Handler.LEAKY ? "leaky" : "correct";
            colours.put(who, data.charts().colour(r.label()));
            sockets.put(who + ": server CLOSE_WAIT", Plots.overTime(t.samples(), SampleRow::atMs, t0, SampleRow::serverCloseWait));
            sockets.put(who + ": server descriptors", Plots.overTime(t.samples(), SampleRow::atMs, t0, SampleRow::serverFds));
            sockets.put(who + ": client FIN_WAIT_2", Plots.overTime(t.samples(), SampleRow::atMs, t0, SampleRow::clientFinWait2));
            List<double[]> ok = new ArrayList<>();
            List<double[]> failed = new ArrayList<>();
            for (RequestRow q : t.requests()) {
                double x = (q.atMs() - t0) / 1000.0;
                if (q.answered()) {
                    ok.add(new double[] {x, q.totalUs() / 1000.0});
                } else {
                    failed.add(new double[] {x, p.integer("deadline")});
                }
            }
            requests.put(who + ": answered", Plots.xy(ok));
            unanswered.put(who + ": no answer in " + p.integer("deadline") + " ms", Plots.xy(failed));
            if (handler == Handler.LEAKY) {
                model.putAll(model(t, p.integer("fdLimit")));
                double out = outOfDescriptors(t, p.integer("fdLimit"));
                if (!Double.isNaN(out)) {
                    requestModel.put("model: descriptors run out, answers stop", new double[][] {{out, out}, {0.1, p.integer("deadline")}});
                }
            }
            for (Event e : List.of(Event.TRAFFIC, Event.HOLD, Event.CLOSE)) {
                marks.add((t.at(e) - t0) / 1000.0);
            }
            table.row(row(r.label(), p.integer("fdLimit"), t));
            if (handler == Handler.LEAKY && !t.reconnect().isEmpty()) {
                reconnects.append(reconnect(t.reconnect().get(0)));
            }
        }
        StringBuilder md = new StringBuilder("A server answers one request per connection and waits for the client to close. The leaky"
                + " handler then never closes; the correct one does. The server process may open only a few descriptors"
                + " (prlimit), and its accept loop backs off 100 ms after an error. Phases: a few early requests (leaky only, for the"
                + " reconnect test), traffic, a quiet hold, then the server closes what it leaked. The lab reads the server's sockets,"
                + " descriptors, CPU time and memory from outside the process. CLOSE_WAIT also counts connections the server never"
                + " accepted whose clients gave up: they wait in the accept queue, closed by the client, until the server takes them.\n\n");
        if (!sockets.isEmpty()) {
            md.append(charts(data, new Series(sockets, model, colours), new Series(requests, requestModel, colours), unanswered, marks));
        }
        md.append(table.markdown()).append("\n").append(reconnects);
        Plots.Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append("\n").append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** A configuration's row of the table: its requests, the most it held, and what the server used meanwhile. */
    private static Object[] row(String label, int limit, Trace t) {
        List<RequestRow> traffic = t.requests(Phase.TRAFFIC);
        long answered = Trace.count(traffic, Outcome.ANSWERED);
        long noAnswer = Trace.count(traffic, Outcome.NO_ANSWER);
        double cpu = t.cpuWhileFailing();
        SampleRow first = t.samples().isEmpty() ? null : t.samples().get(0);
        SampleRow holdEnd = t.sampleBefore(t.at(Event.CLOSE));
        String rss = first == null || holdEnd == null ? "" : String.format(Locale.ROOT, "%d → %d MB", first.serverRssKb() / 1024,
                holdEnd.serverRssKb() / 1024);
        return new Object[] {label, answered + " of " + traffic.size(), noAnswer, traffic.size() - answered - noAnswer,
            t.mostUntilClose(SampleRow::serverCloseWait), t.mostUntilClose(SampleRow::serverFds) + " / " + limit, t.acceptErrors().size(),
            Double.isNaN(cpu) ? "" : Claims.share(cpu), rss};
    }

    /** A chart's measured series by configuration ("leaky: …"), its model series, and each configuration's colour. */
    record Series(Map<String, double[][]> measured, Map<String, double[][]> model, Map<String, Color> colours) {
    }

    static final String SOCKETS_TITLE = "Does CLOSE_WAIT pile up until the server runs out of descriptors?";
    static final String REQUESTS_TITLE = "Are requests answered once the leaky server runs out of descriptors?";

    private static String charts(ExperimentData data, Series sockets, Series requests, Map<String, double[][]> unanswered, List<Double> marks)
            throws IOException {
        data.charts().save(socketsChart(sockets, marks), "close-wait-leak-sockets");
        data.charts().save(requestsChart(requests, unanswered, marks), "close-wait-leak-requests");
        return new Drawn("close-wait-leak-sockets", SOCKETS_TITLE, "Sampled every 200 ms; one colour per handler. Vertical lines:"
                + " traffic starts, traffic ends (the quiet hold), the server closes its leaked connections. Dashed red: the model,"
                + " CLOSE_WAIT kept through the hold (it has no timer) until close(), and the descriptor limit.").markdown("charts")
                + new Drawn("close-wait-leak-requests", REQUESTS_TITLE, "Each request: its time to answer, or an arrow at the deadline"
                + " when it got none (connected but never accepted, or not connected at all): its true time is longer. Dashed red:"
                + " where the model has the leaky server's descriptors run out.").markdown("charts");
    }

    /** Sockets and descriptors over time: CLOSE_WAIT thick, descriptors with squares, the client's FIN_WAIT_2 thin. */
    static XYChart socketsChart(Series s, List<Double> marks) {
        XYChart chart = Plots.lines(SOCKETS_TITLE, "seconds since the traffic started (s)", "sockets or descriptors (count)", s.measured(),
                s.model());
        for (var series : chart.getSeriesCollection()) {
            String who = series.getName().split(":")[0];
            if (!s.colours().containsKey(who)) {
                continue; // a model line
            }
            series.setLineColor(s.colours().get(who));
            series.setMarkerColor(s.colours().get(who));
            boolean fds = series.getName().endsWith("descriptors");
            boolean client = series.getName().endsWith("FIN_WAIT_2");
            series.setMarker(fds ? SeriesMarkers.SQUARE : client ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            series.setLineStyle(new BasicStroke(client ? 1f : fds ? 1.5f : 2.5f));
        }
        double top = s.measured().values().stream().flatMapToDouble(xy -> Arrays.stream(xy[1])).max().orElse(1);
        chart.getStyler().setYAxisMax(top * 1.08);
        Plots.phaseLines(chart, marks, List.of("traffic", "quiet hold", "close()"), top * 1.05, true);
        return chart;
    }

    /** Requests over time: answered as points, unanswered as arrows at the deadline. */
    static XYChart requestsChart(Series s, Map<String, double[][]> unanswered, List<Double> marks) {
        XYChart chart = Plots.points(REQUESTS_TITLE, "seconds since the traffic started (s)", "time to answer (ms)", s.measured(),
                s.model());
        for (var series : chart.getSeriesCollection()) {
            Color c = s.colours().get(series.getName().split(":")[0]);
            if (c != null) {
                series.setMarkerColor(c);
                series.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        unanswered.forEach((name, xy) -> Plots.censored(chart, name, xy, s.colours().get(name.split(":")[0])));
        // room above the deadline for the arrows that point past it
        double deadline = unanswered.values().stream().flatMapToDouble(xy -> Arrays.stream(xy[1])).max().orElse(1000);
        chart.getStyler().setYAxisMax(deadline * 4);
        Plots.phaseLines(chart, marks, List.of("traffic", "quiet hold", "close()"), deadline * 2.8, true);
        return chart;
    }

    /**
     * The leaky handler's model: CLOSE_WAIT has no timer, so it keeps through the hold the count it had
     * when the hold began and drops to 0 at close(); and the descriptors stop at the limit.
     */
    static Map<String, double[][]> model(Trace t, int limit) {
        Map<String, double[][]> model = Plots.series();
        long t0 = t.t0();
        SampleRow holdStart = t.sampleBefore(t.at(Event.HOLD) + Sampler.EVERY_MILLIS + 1);
        if (holdStart != null && t.at(Event.CLOSE) != Long.MAX_VALUE && !t.samples().isEmpty()) {
            double hold = (holdStart.atMs() - t0) / 1000.0;
            double close = (t.at(Event.CLOSE) - t0) / 1000.0;
            double end = (t.samples().get(t.samples().size() - 1).atMs() - t0) / 1000.0;
            model.put("model: CLOSE_WAIT kept until close()", new double[][] {{hold, close, close, end},
                {holdStart.serverCloseWait(), holdStart.serverCloseWait(), 0, 0}});
            double start = (t.samples().get(0).atMs() - t0) / 1000.0;
            model.put("model: descriptor limit (" + limit + ")", new double[][] {{start, end}, {limit, limit}});
        }
        return model;
    }

    /**
     * When the model has the leaky server stop answering, in seconds since the traffic started: at the
     * request after the one that took the last free descriptor (each request leaks one); NaN if the
     * requests never used them all.
     */
    static double outOfDescriptors(Trace t, int limit) {
        if (t.samples().isEmpty()) {
            return Double.NaN;
        }
        int free = (int) (limit - t.samples().get(0).serverFds());
        List<RequestRow> byTime = t.requests().stream().sorted(Comparator.comparingLong(RequestRow::atMs)).toList();
        return free < 0 || free >= byTime.size() ? Double.NaN : (byTime.get(free).atMs() - t.t0()) / 1000.0;
    }

    /** What the kernel did with a SYN that matched a connection in CLOSE_WAIT, as a paragraph. */
    private static String reconnect(ReconnectRow r) {
        boolean answered = r.outcome() == Outcome.ANSWERED;
        String what = Claims.challengeAckSequence(r)
                ? " The SYN met the stale connection, which answered with a challenge ACK (RFC 5961); the client answered that with a"
                        + " RST, which removed the stale connection, and resent its SYN after the kernel's minimum timer (2 jiffies) rather"
                        + " than the initial 1 s, so the new connection found the listener at once."
                : " This is not the challenge-ACK sequence of recent kernels; see the counters and raw/*.reconnect.csv.";
        return String.format(Locale.ROOT, "**Reconnecting from a port held in CLOSE_WAIT.** The client's side of an early connection"
                + " timed out (FIN_WAIT_2, tcp_fin_timeout) while the server still held it (%s). A new connect() from the same source"
                + " port %s after %.3f s. The server sent %s (TcpExt.TCPChallengeACK), the client %s"
                + " (Tcp.OutRsts), and the server counted %s (Tcp.EstabResets).%s%n%n", r.serverStateBefore(),
                answered ? "connected" : "ended " + r.outcome(), r.connectUs() / 1e6, Format.count(r.challengeAcks(), "challenge ACK"),
                Format.count(r.clientResets(), "reset"), Format.count(r.serverResets(), "reset connection"), what);
    }
}
