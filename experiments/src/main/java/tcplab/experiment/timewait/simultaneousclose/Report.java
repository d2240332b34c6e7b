package tcplab.experiment.timewait.simultaneousclose;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
                + " first keeps TIME_WAIT; when both close at once, both do.\n\n" + table.markdown() + "\n" + ladders(data);
        return new Section(experiment.name(), experiment.title(), md, claims);
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
