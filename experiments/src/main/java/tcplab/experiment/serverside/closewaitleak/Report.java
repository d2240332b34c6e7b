package tcplab.experiment.serverside.closewaitleak;

import java.io.IOException;
import java.util.ArrayList;
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
            requests.put(who + ": answered (ms)", Plots.xy(ok));
            requests.put(who + ": not answered within the deadline", Plots.xy(failed));
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
            md.append(charts(data, sockets, requests, marks));
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

    private static String charts(ExperimentData data, Map<String, double[][]> sockets, Map<String, double[][]> requests, List<Double> marks)
            throws IOException {
        String title = "CLOSE_WAIT and descriptors over time, profile " + data.profile();
        XYChart chart = Plots.lines(title, "seconds since the traffic started", "sockets or descriptors", sockets, null);
        Plots.phaseLines(chart, marks);
        data.charts().save(chart, "close-wait-leak-sockets");
        String rTitle = "Requests over time, profile " + data.profile();
        XYChart points = Plots.points(rTitle, "seconds since the traffic started", "time to answer (ms)", requests, null);
        Plots.phaseLines(points, marks);
        data.charts().save(points, "close-wait-leak-requests");
        return new Drawn("close-wait-leak-sockets", title, "Sampled every 200 ms. Vertical lines: traffic starts, traffic"
                + " ends (the quiet hold), the server closes its leaked connections.").markdown("charts")
                + new Drawn("close-wait-leak-requests", rTitle, "Each request: its time to answer, or a mark at the deadline when it"
                + " got none (connected but never accepted, or not connected at all).").markdown("charts");
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
