package tcplab.experiment.timewait.timewaitscale;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C5's report section: per configuration, the connections made, the room the model gives them, and what the kernel held. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        String memoryColumn = Claims.TW_MEMORY.label();
        Markdown.Table table = new Markdown.Table("configuration", "connections made", "local ports × server ports", "tcp_max_tw_buckets",
                "TIME_WAIT at once", "TCPTimeWaitOverflow", memoryColumn).numeric("connections made",
                "local ports × server ports", "tcp_max_tw_buckets", "TIME_WAIT at once", "TCPTimeWaitOverflow", memoryColumn);
        List<RunData.Result> measured = new ArrayList<>();
        List<Tally> tallies = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<MemoryRow> memory = MemoryRow.TABLE.read(data, r);
            if (!r.ok() || memory.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "");
                continue;
            }
            Tally t = Tally.of(data, r, memory.get(0));
            measured.add(r);
            tallies.add(t);
            table.row(r.label(), t.made(), t.localPorts() + " × " + t.serverPorts(), t.buckets(), t.timeWait(), t.overflow(), perSocket(t));
        }
        String md = "One client connects to a server listening on several ports and closes first. The model: TIME_WAIT is keyed by the"
                + " 4-tuple, so N local ports × P server ports can be in TIME_WAIT at once, up to tcp_max_tw_buckets; past it the kernel"
                + " drops the socket and counts TCPTimeWaitOverflow. Each TIME_WAIT socket is one slot of the tw_sock_TCP slab cache"
                + " (its slab_size: a struct tcp_timewait_sock and the slab's free pointer); the table weighs it as the slots the cache"
                + " grew by, less the rest of the machine's drift, over the TIME_WAIT sockets held.\n\n";
        if (!measured.isEmpty()) {
            List<String> labels = Plots.varying(measured.stream().map(Report::conditions).toList(), "measured");
            CategoryChart chart = chart(TITLE, labels, tallies);
            Map<String, String> colours = new HashMap<>();
            for (int i = 0; i < labels.size(); i++) {
                colours.put(labels.get(i), measured.get(i).label());
            }
            Plots.colourBy(chart, data.charts(), colours::get);
            data.charts().save(chart, experiment.name());
            md += new Drawn(experiment.name(), TITLE, "Bars: TIME_WAIT sockets the client held after its connections, per configuration;"
                    + " red diamonds: the model, the least of the connections made, N local ports × server ports, and tcp_max_tw_buckets;"
                    + " red dashes: tcp_max_tw_buckets; grey: the N local ports (solid) and N × server ports (dashed). What each"
                    + " socket weighs is in the table.").markdown("charts");
        }
        md += table.markdown() + "\n";
        return new Section(experiment.name(), experiment.title(), md, claims);
    }

    static final String TITLE = "Can one client hold more TIME_WAIT sockets than it has local ports, up to tcp_max_tw_buckets?";
    static final String MODEL = "model: least of made, N × ports, cap";

    /**
     * TIME_WAIT held per configuration (a bar series each, so each keeps its configuration's colour),
     * the model as diamonds, and the levels it is the least of: the cap, the room N × server ports,
     * and the N local ports that the first exceeds. Log scale when they span more than a factor of 20.
     */
    static CategoryChart chart(String title, List<String> labels, List<Tally> tallies) {
        List<String> categories = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            categories.add(labels.get(i) + String.format(Locale.ROOT, " (%,d made)", tallies.get(i).made()));
        }
        List<Double> all = new ArrayList<>();
        tallies.forEach(t -> all.addAll(List.of((double) Math.max(1, t.timeWait()), (double) t.buckets(), (double) t.room(),
                (double) t.localPorts())));
        boolean log = Plots.spansOrders(all, List.of());
        // half the lowest: a bar at the lowest value keeps some height on the log axis
        CategoryChart chart = Plots.bars(title, "TIME_WAIT sockets held at once", log, Plots.lowest(all, List.of()) / 2, false);
        chart.setXAxisTitle("configuration (connections made)");
        chart.getStyler().setMarkerSize(14); // levels 45 pixels wide, readable against a bar
        for (int i = 0; i < tallies.size(); i++) {
            List<Double> bar = new ArrayList<>();
            for (int j = 0; j < tallies.size(); j++) {
                bar.add(j == i ? (double) Math.max(log ? 1 : 0, tallies.get(j).timeWait()) : null);
            }
            chart.addSeries(labels.get(i), categories, bar);
        }
        Plots.modelMarkers(chart, MODEL, categories, tallies.stream().map(t -> (double) t.expected()).toList());
        level(chart, "tcp_max_tw_buckets (cap)", categories, tallies.stream().map(t -> (double) t.buckets()).toList(), Plots.MODEL, true);
        level(chart, "N × server ports (room)", categories, tallies.stream().map(t -> (double) t.room()).toList(), Color.DARK_GRAY, true);
        level(chart, "N local ports", categories, tallies.stream().map(t -> (double) t.localPorts()).toList(), Color.DARK_GRAY, false);
        return chart;
    }

    /**
     * What a legend may name, short: the connections made are in the category, the port range is
     * said as its usable ports, and "ports" are the server's.
     */
    private static Map<String, String> conditions(RunData.Result r) {
        Map<String, String> c = new LinkedHashMap<>();
        r.conditions().forEach((k, v) -> {
            switch (k) {
                case "connections", "net.ipv4.ip_local_port_range" -> { }
                case "ports" -> c.put("server ports", v);
                default -> c.put(k, v);
            }
        });
        c.put("local ports", Integer.toString(TcpModel.usablePorts(r.sysctls())));
        return c;
    }

    private static void level(CategoryChart chart, String name, List<String> categories, List<Double> values, Color colour, boolean dashed) {
        CategorySeries s = chart.addSeries(name, categories, values);
        s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        s.setMarker(new Plots.Level(dashed));
        s.setMarkerColor(colour);
    }

    private static String perSocket(Tally t) {
        if (!t.slabRead()) {
            return "not weighed (needs root)";
        }
        if (t.timeWait() <= 0) {
            return "";
        }
        return t.weighable() ? t.bytesPerSocket() + " B (slot: " + t.memory().slabSize() + " B)" : "not weighed (" + t.timeWait() + " sockets)";
    }
}
