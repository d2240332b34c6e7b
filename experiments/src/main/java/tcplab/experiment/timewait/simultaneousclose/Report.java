package tcplab.experiment.timewait.simultaneousclose;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.CategoryChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Side;
import tcplab.kernel.TcpSockets;
import tcplab.chart.Markdown;
import tcplab.results.RunData;

/** C6's report section: what each side held after each order of closing. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Markdown.Table table = new Markdown.Table("configuration", "order", "client side", "server side");
        for (RunData.Result r : data.trials()) {
            List<StateRow> rows = StateRow.TABLE.read(data, r);
            if (!r.ok() || rows.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "");
                continue;
            }
            for (Order order : Order.values()) {
                table.row(r.label(), word(order), TcpSockets.describe(states(rows, order, Side.CLIENT)),
                        TcpSockets.describe(states(rows, order, Side.SERVER)));
            }
        }
        String md = "A client and a server hold connections and close them in three orders. To close both at once, the lab takes the"
                + " veth link down, both sides close, and the link comes back so the two FINs cross. The model: the side that closes"
                + " first keeps TIME_WAIT; when both close at once, both do.\n\n";
        List<RunData.Result> measured = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok() && !StateRow.TABLE.read(data, r).isEmpty()) {
                measured.add(r);
            }
        }
        if (!measured.isEmpty()) {
            List<String> prefixes = Plots.varying(measured.stream().map(RunData.Result::conditions).toList(), "");
            List<Panel> panels = new ArrayList<>();
            for (int i = 0; i < measured.size(); i++) {
                panels.add(new Panel(prefixes.get(i), data.params(measured.get(i)).integer("pairs"), StateRow.TABLE.read(data, measured.get(i))));
            }
            String name = experiment.name() + "-time-wait";
            data.charts().save(chart(TITLE, panels), name);
            md += new Drawn(name, TITLE, "Bars: connections in TIME_WAIT on each side once all settled, for each order of closing;"
                    + " red diamonds: the model (every connection on the side that closed first, on both when they closed at once,"
                    + " none on the other).").markdown("charts");
        }
        md += table.markdown() + "\n" + ladders(data);
        return new Section(experiment.name(), experiment.title(), md, claims);
    }

    static final String TITLE = "Which side keeps TIME_WAIT: the one that closes first, or both when they close at once?";
    static final String MODEL = "model: the first closer (both at once)";

    /** One configuration's rows, its name where several share the chart (else empty), and the connections closed in each order. */
    record Panel(String prefix, int pairs, List<StateRow> rows) {
    }

    /** TIME_WAIT on the client and on the server for each order: a bar series a side, beside the model's count. */
    static CategoryChart chart(String title, List<Panel> panels) {
        List<String> categories = new ArrayList<>();
        Map<Side, List<Double>> bars = new EnumMap<>(Side.class);
        List<Double> model = new ArrayList<>();
        for (Panel p : panels) {
            for (Order order : Order.values()) {
                for (Side side : Side.values()) {
                    categories.add((p.prefix().isEmpty() ? "" : p.prefix() + ": ") + word(order) + ", " + word(side));
                    for (Side s : Side.values()) {
                        bars.computeIfAbsent(s, k -> new ArrayList<>()).add(s == side ? (double) Claims.timeWait(p.rows(), order, side) : null);
                    }
                    model.add(Claims.keepsTimeWait(order, side) ? (double) p.pairs() : 0.0);
                }
            }
        }
        List<Integer> pairs = panels.stream().map(Panel::pairs).distinct().toList();
        CategoryChart chart = Plots.bars(title, "connections in TIME_WAIT" + (pairs.size() == 1 ? " (of " + pairs.get(0) + " closed)" : ""),
                false, 0, false);
        chart.setXAxisTitle("order of closing, side");
        chart.getStyler().setMarkerSize(12);
        for (Side side : Side.values()) {
            chart.addSeries("on the " + word(side), categories, bars.get(side)).setFillColor(Plots.PALETTE[side.ordinal()]);
        }
        Plots.modelMarkers(chart, MODEL, categories, model);
        return chart;
    }

    /** The ladders of each configuration that ran (Ladders). */
    private static String ladders(ExperimentData data) throws IOException {
        StringBuilder md = new StringBuilder();
        int index = 0;
        for (RunData.Result r : data.trials()) {
            List<StateRow> rows = StateRow.TABLE.read(data, r);
            if (r.ok() && !rows.isEmpty()) {
                md.append(Ladders.draw(data, r, rows, index++).markdown("charts"));
            }
        }
        return md.toString();
    }

    private static Map<String, Long> states(List<StateRow> rows, Order order, Side side) {
        Map<String, Long> states = new TreeMap<>();
        rows.stream().filter(r -> r.order() == order && r.side() == side).forEach(r -> states.merge(r.state(), r.sockets(), Long::sum));
        return states.isEmpty() ? null : states;
    }

    /** client-first, server, …: how the report and claims.csv name an order or a side. */
    static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
