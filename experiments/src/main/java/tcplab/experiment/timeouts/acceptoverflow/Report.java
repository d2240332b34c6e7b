package tcplab.experiment.timeouts.acceptoverflow;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.kernel.TcpModel;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;

/** C10's report section: every client's connect latency and outcome per configuration, beside the server's queue counters. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        List<Strip> strips = new ArrayList<>();
        Markdown.Table table = new Markdown.Table("configuration", "connected", "reset or refused", "timed out",
                "connect latencies (s: clients)", "ListenOverflows", "ListenDrops", "SYN cookies sent")
                .numeric("connected", "reset or refused", "timed out", "ListenOverflows", "ListenDrops", "SYN cookies sent");
        for (RunData.Result r : data.trials()) {
            List<ConnectRow> rows = ConnectRow.TABLE.read(data, r);
            if (!r.ok() || rows.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "", "");
                continue;
            }
            Map<String, String> settings = r.sysctls();
            Tally t = Tally.of(settings, rows, data.pathRttSeconds());
            strips.add(new Strip(label(settings), t.schedule(), data.params(r).integer("connectTimeout") / 1000.0, rows));
            table.row(r.label(), t.connected(), t.reset(), t.timedOut(), t.spread(), r.serverCounter("TcpExt.ListenOverflows", RunData.DELTA),
                    r.serverCounter("TcpExt.ListenDrops", RunData.DELTA), r.serverCounter("TcpExt.SyncookiesSent", RunData.DELTA));
        }
        StringBuilder md = new StringBuilder("A server with a small backlog accepts one connection every so often while a burst of clients"
                + " connects at once. The model: the accept queue holds backlog + 1; a SYN that finds it full is dropped whatever"
                + " tcp_abort_on_overflow says, so connect() latencies come in whole SYN retransmission timeouts; only a handshake that"
                + " completes into a full queue is decided by tcp_abort_on_overflow: its final ACK dropped (0) or a reset (1). With SYN"
                + " cookies on (the default) the small SYN queue overflows into cookies, whose final ACKs into a full queue are dropped"
                + " without a reset even with 1; with cookies off the resets show.\n\n");
        if (!strips.isEmpty()) {
            XYChart chart = chart(strips);
            Plots.colourBy(chart, data.charts());
            blacken(chart);
            data.charts().save(chart, "accept-overflow");
            md.append(new Drawn("accept-overflow", TITLE, "One row per configuration, every client a point at its connect latency,"
                    + " sorted within the row: circles, connected; crosses, reset; arrows at the connect timeout, timed out (still"
                    + " waiting then). Red dashed: the model, the SYN send times a client can get in at (a dropped SYN is retransmitted"
                    + " on the SYN schedule).").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    static final String TITLE = "How long do connects take when the accept queue is full, and who gives up?";
    static final String TIMED_OUT = "timed out (censored at the timeout)";
    static final String RESET = "reset";

    /** One configuration's clients, with the SYN schedule of its sysctls and the client's connect timeout (s). */
    record Strip(String label, TcpModel.SynSchedule schedule, double connectTimeout, List<ConnectRow> rows) {
    }

    static String label(Map<String, String> settings) {
        return "abort_on_overflow=" + Claims.abortOnOverflow(settings) + " syncookies=" + settings.getOrDefault("net.ipv4.tcp_syncookies",
                "1").trim();
    }

    /**
     * Every client of every configuration: a row each, its clients sorted by latency and spread down
     * the row, so a pile at one SYN time reads as a tall step; timed-out clients censored at the
     * timeout, resets crossed; the model's SYN send times as dashed strokes across the row.
     */
    static XYChart chart(List<Strip> strips) {
        double end = 0;
        for (Strip s : strips) {
            end = Math.max(end, s.connectTimeout());
            for (ConnectRow r : s.rows()) {
                end = Math.max(end, r.seconds());
            }
        }
        end *= 1.1;
        List<String> labels = Plots.unique(strips.stream().map(Strip::label).toList());
        XYChart chart = Plots.timeline(TITLE, "seconds until connect() returned", labels, false, end / 2);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(end);
        chart.getStyler().setMarkerSize(5);
        List<double[]> syns = new ArrayList<>();
        List<double[]> timedOut = new ArrayList<>();
        List<double[]> reset = new ArrayList<>();
        for (int row = 0; row < strips.size(); row++) {
            Strip s = strips.get(row);
            List<ConnectRow> sorted = s.rows().stream().sorted(Comparator.comparingDouble(ConnectRow::seconds)).toList();
            List<double[]> connected = new ArrayList<>();
            for (int i = 0; i < sorted.size(); i++) {
                ConnectRow r = sorted.get(i);
                double y = -row + 0.28 - 0.6 * i / Math.max(1, sorted.size() - 1);
                switch (r.outcome()) {
                    case CONNECTED -> connected.add(new double[] {r.seconds(), y});
                    case TIMEOUT -> timedOut.add(new double[] {s.connectTimeout() > 0 ? s.connectTimeout() : r.seconds(), y});
                    case RESET, REFUSED -> reset.add(new double[] {r.seconds(), y});
                    case ERROR -> { }
                }
            }
            Plots.marks(chart, labels.get(row), connected, SeriesMarkers.CIRCLE, Plots.PALETTE[row % Plots.PALETTE.length]);
            long late = sorted.stream().filter(r -> r.outcome() == ConnectRow.Outcome.TIMEOUT).count();
            if (late > 0) { // the arrows pile up: say how many
                chart.addAnnotation(new Plots.Label(late + " of " + sorted.size() + " timed out", s.connectTimeout(), -row - 0.4, false));
            }
            for (double at : s.schedule().sendTimes()) {
                if (s.connectTimeout() <= 0 || at < s.connectTimeout()) {
                    syns.add(new double[] {at, -row - 0.45, -row + 0.33});
                }
            }
        }
        Plots.strokes(chart, "model: SYN sent (a client can get in)", syns, true, Plots.MODEL);
        Plots.marks(chart, RESET, reset, SeriesMarkers.CROSS, Color.BLACK);
        Plots.marks(chart, TIMED_OUT, timedOut, new Plots.Censored(false), Color.BLACK);
        return chart;
    }

    /** What is no configuration's: resets and time-outs, black again after {@link Plots#colourBy}. */
    static void blacken(XYChart chart) {
        for (String name : List.of(RESET, TIMED_OUT)) {
            XYSeries s = chart.getSeries(name);
            if (s != null) {
                s.setMarkerColor(Color.BLACK);
            }
        }
    }
}
