package tcplab.experiment.timewait.simultaneousclose;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Side;
import tcplab.results.RunData;

/** C6's claims, from the state counts alone: for each order and side, the sockets in TIME_WAIT against the model. */
final class Claims {
    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<StateRow> rows = StateRow.TABLE.read(data, r);
            if (r.ok() && !rows.isEmpty()) {
                for (Claim c : of(data.where(r), data.params(r).integer("pairs"), rows)) {
                    claims.add(c.explainedFurther(Ladders.captureNote(data, r, order(c))));
                }
            }
        }
        return claims;
    }

    /** One configuration's claims: {@code pairs} connections were closed in each order. */
    static List<Claim> of(Claim.Where where, int pairs, List<StateRow> rows) {
        List<Claim> claims = new ArrayList<>();
        for (Order order : Order.values()) {
            for (Side side : Side.values()) {
                boolean keeps = keepsTimeWait(order, side);
                long expected = keeps ? pairs : 0;
                long measured = timeWait(rows, order, side);
                String who = Report.word(side);
                String why = order == Order.SIMULTANEOUS
                        ? "Both sides closed while the link was down, so each sent its FIN before receiving the other's: each went"
                                + " FIN_WAIT_1 → CLOSING → TIME_WAIT."
                        : keeps ? "The " + who + " closed first (the active close): it ends in TIME_WAIT."
                                : "The " + who + " closed second (the passive close): LAST_ACK, then CLOSED, no TIME_WAIT.";
                claims.add(Claim.check("C6", "simultaneous-close", where.and("order=" + Report.word(order)).and("side=" + who),
                        Claim.Metric.of("time_wait_sockets_" + who, "connections in TIME_WAIT on the " + who, "sockets"),
                        Long.toString(expected), Long.toString(measured), expected == measured, why));
            }
        }
        return claims;
    }

    /** The order a claim row is about, from its conditions. */
    private static Order order(Claim c) {
        for (Order order : Order.values()) {
            if (c.where().conditions().contains("order=" + Report.word(order))) {
                return order;
            }
        }
        throw new IllegalStateException("no order in " + c.where());
    }

    /** The model: the side that closes first keeps TIME_WAIT; both do when they close at once. */
    static boolean keepsTimeWait(Order order, Side side) {
        return order == Order.SIMULTANEOUS || (order == Order.CLIENT_FIRST) == (side == Side.CLIENT);
    }

    static long timeWait(List<StateRow> rows, Order order, Side side) {
        return rows.stream().filter(r -> r.order() == order && r.side() == side && r.state().equals("TIME_WAIT"))
                .mapToLong(StateRow::sockets).sum();
    }
}
