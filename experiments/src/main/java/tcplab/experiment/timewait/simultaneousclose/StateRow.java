package tcplab.experiment.timewait.simultaneousclose;

import tcplab.experiment.RawTable;

/** {@code raw/ID.states.csv}: how many of one order's connections one side holds in one TCP state, once all settled. */
public record StateRow(Order order, Side side, String state, long sockets) {
    public static final RawTable<StateRow> TABLE = RawTable.of("states", StateRow.class);

    /** Which side closed first. */
    public enum Order {
        CLIENT_FIRST, SERVER_FIRST, SIMULTANEOUS;

        /** The server port whose connections are closed in this order. */
        int port() {
            return tcplab.lab.ServerProcess.PORT + ordinal();
        }
    }

    public enum Side {
        CLIENT, SERVER
    }
}
