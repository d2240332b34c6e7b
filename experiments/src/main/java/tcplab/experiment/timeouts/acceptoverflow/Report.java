package tcplab.experiment.timeouts.acceptoverflow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
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
        List<String> buckets = new ArrayList<>(); // the chart's categories, in the order first seen
        Map<String, Map<String, Integer>> byConfig = new LinkedHashMap<>();
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
            Map<String, Integer> counts = new LinkedHashMap<>();
            t.latencies().forEach((s, c) -> counts.put(String.format(Locale.ROOT, "%.0f s", s), c));
            if (t.reset() > 0) {
                counts.put("reset", t.reset());
            }
            counts.keySet().stream().filter(b -> !buckets.contains(b)).forEach(buckets::add);
            byConfig.put("tcp_abort_on_overflow=" + Claims.abortOnOverflow(settings) + ", tcp_syncookies="
                    + settings.getOrDefault("net.ipv4.tcp_syncookies", "1").trim() + " " + r.path(), counts);
            table.row(r.label(), t.connected(), t.reset(), t.timedOut(), t.spread(), r.serverCounter("TcpExt.ListenOverflows", RunData.DELTA),
                    r.serverCounter("TcpExt.ListenDrops", RunData.DELTA), r.serverCounter("TcpExt.SyncookiesSent", RunData.DELTA));
        }
        StringBuilder md = new StringBuilder("A server with a small backlog accepts one connection every so often while a burst of clients"
                + " connects at once. The model: the accept queue holds backlog + 1; a SYN that finds it full is dropped whatever"
                + " tcp_abort_on_overflow says, so connect() latencies come in whole SYN retransmission timeouts; only a handshake that"
                + " completes into a full queue is decided by tcp_abort_on_overflow: its final ACK dropped (0) or a reset (1). With SYN"
                + " cookies on (the default) the small SYN queue overflows into cookies, whose final ACKs into a full queue are dropped"
                + " without a reset even with 1; with cookies off the resets show.\n\n");
        if (!byConfig.isEmpty()) {
            String title = "How long connects took with a full accept queue, profile " + data.profile();
            data.charts().save(chart(title, buckets, byConfig), "accept-overflow");
            md.append(new Drawn("accept-overflow", title, "Clients by connect latency, rounded to the nearest SYN send time, and clients"
                    + " reset, for each tcp_abort_on_overflow.").markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** One series per configuration, one bar per latency bucket (and "reset"): clients. */
    private static CategoryChart chart(String title, List<String> buckets, Map<String, Map<String, Integer>> byConfig) {
        CategoryChart chart = Plots.bars(title, "clients", false, 0, true);
        chart.getStyler().setXAxisLabelRotation(0);
        int i = 0;
        for (Map.Entry<String, Map<String, Integer>> e : byConfig.entrySet()) {
            List<Double> values = buckets.stream().map(b -> (double) e.getValue().getOrDefault(b, 0)).toList();
            chart.addSeries(e.getKey(), buckets, values).setFillColor(Plots.PALETTE[i++ % Plots.PALETTE.length]);
        }
        return chart;
    }
}
