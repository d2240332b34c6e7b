package tcplab.experiment.timeouts.acceptoverflow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Comparator;
import java.util.TreeSet;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;

/** C10's report section: clients by connect latency and outcome, beside the server's queue counters. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<RunData.Result, List<ConnectRow>> measured = new LinkedHashMap<>();
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
            Tally t = Tally.of(settings, rows);
            measured.put(r, rows);
            table.row(r.label(), t.connected(), t.reset(), t.timedOut(), t.spread(), r.serverCounter("TcpExt.ListenOverflows", RunData.DELTA),
                    r.serverCounter("TcpExt.ListenDrops", RunData.DELTA), r.serverCounter("TcpExt.SyncookiesSent", RunData.DELTA));
        }
        StringBuilder md = new StringBuilder("A server with a small backlog accepts one connection every so often while a burst of clients"
                + " connects at once. The model: the accept queue holds backlog + 1; a SYN that finds it full is dropped whatever"
                + " tcp_abort_on_overflow says, so connect() latencies come in whole SYN retransmission timeouts; only a handshake that"
                + " completes into a full queue is decided by tcp_abort_on_overflow: its final ACK dropped (0) or a reset (1). With SYN"
                + " cookies on (the default) the small SYN queue overflows into cookies, whose final ACKs into a full queue are dropped"
                + " without a reset even with 1; with cookies off the resets show.\n\n");
        if (!measured.isEmpty()) {
            String title = "How long does each of a burst of clients wait in connect() when the accept queue is full?";
            data.charts().save(chart(title, data, measured), "accept-overflow");
            md.append(new Drawn("accept-overflow", title, "Every client, one point each, by the time its connect() returned, counted up"
                    + " per configuration: connected (dots), reset (crosses), and timed out (arrows at the application's connect timeout:"
                    + " it had not connected by then). Dashed red: the model's SYN send times, where a client whose SYN was dropped can"
                    + " connect next.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /**
     * Every client of every configuration: x is when its connect() returned, y counts the clients of
     * its configuration in that order, each configuration in its own band, so each is a rising
     * staircase whose steps sit on the SYN schedule. Timed-out clients are censored at the timeout,
     * resets are crosses.
     */
    static XYChart chart(String title, ExperimentData data, Map<RunData.Result, List<ConnectRow>> measured) {
        XYChart chart = Plots.points(title, "seconds until connect() returned",
                "each configuration's clients, in the order connect() returned", Plots.series(), null);
        int band = measured.values().stream().mapToInt(List::size).max().orElse(0) + 10;
        double window = 0;
        int base = 0;
        TreeSet<Double> sends = new TreeSet<>();
        Map<Double, String> labels = new LinkedHashMap<>();
        for (Map.Entry<RunData.Result, List<ConnectRow>> e : measured.entrySet()) {
            Color colour = data.charts().colour(data.label(e.getKey()));
            String name = data.legend(e.getKey());
            List<ConnectRow> rows = e.getValue().stream().sorted(Comparator.comparingLong(ConnectRow::endMs)
                    .thenComparingLong(ConnectRow::startMs)).toList();
            long start = rows.stream().mapToLong(ConnectRow::startMs).min().orElse(0);
            List<double[]> connected = new ArrayList<>();
            List<double[]> reset = new ArrayList<>();
            List<double[]> timedOut = new ArrayList<>();
            int n = base;
            for (ConnectRow row : rows) {
                double[] point = {(row.endMs() - start) / 1000.0, ++n};
                window = Math.max(window, point[0]);
                switch (row.outcome()) {
                    case CONNECTED -> connected.add(point);
                    case RESET, REFUSED -> reset.add(point);
                    case TIMEOUT -> timedOut.add(point);
                    case ERROR -> { }
                }
            }
            labels.put(base + band - 4.0, name + " (" + rows.size() + " clients)");
            base += band;
            Tally t = Tally.of(e.getKey().sysctls(), e.getValue());
            for (double send : t.schedule().sendTimes()) {
                sends.add(send);
            }
            add(chart, name + ": connected", connected, colour, SeriesMarkers.CIRCLE);
            add(chart, name + ": reset", reset, colour, SeriesMarkers.CROSS);
            if (!timedOut.isEmpty()) {
                XYSeries s = chart.addSeries(name + ": timed out", Plots.xy(timedOut)[0], Plots.xy(timedOut)[1]);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(new Plots.Censored(false));
                s.setMarkerColor(colour);
            }
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax((double) base);
        chart.getStyler().setAnnotationTextFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 12));
        chart.getStyler().setAnnotationTextFontColor(Color.DARK_GRAY);
        chart.getStyler().setYAxisTicksVisible(false); // each band counts its own clients: its name says how many
        double w = window;
        labels.forEach((y, name) -> chart.addAnnotation(new AnnotationText(name, w * 0.15, y, false)));
        double top = base;
        boolean first = true;
        for (double send : sends.headSet(window, true)) {
            // the model: a client whose SYN was dropped sends it again at these times, so it can connect only there
            XYSeries m = chart.addSeries(first ? "model: SYN send times" : "model: SYN at " + send + " s", new double[] {send, send},
                    new double[] {0, top});
            m.setLineColor(Plots.MODEL);
            m.setMarker(SeriesMarkers.NONE);
            m.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
            m.setShowInLegend(first);
            first = false;
        }
        return chart;
    }

    private static void add(XYChart chart, String name, List<double[]> points, Color colour, Marker marker) {
        if (points.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, Plots.xy(points)[0], Plots.xy(points)[1]);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
        s.setMarkerColor(colour);
    }
}
