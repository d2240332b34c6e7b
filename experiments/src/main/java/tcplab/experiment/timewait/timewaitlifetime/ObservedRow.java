package tcplab.experiment.timewait.timewaitlifetime;

import tcplab.experiment.RawTable;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Connection;

/**
 * {@code raw/ID.observed.csv}, written by the run side as it polls the client's socket table: a closed
 * connection first seen in a state (with the kernel's timer, in ms), or gone from the table (its
 * last state, no timer).
 */
record ObservedRow(@RawTable.Column("local_port") int localPort, @RawTable.Column("remote_port") int remotePort, Event event,
                   @RawTable.Column("at_ms") long atMs, String state, @RawTable.Column("timer_ms") Long timerMs) {
    static final RawTable<ObservedRow> TABLE = RawTable.of("observed", ObservedRow.class);

    enum Event {
        SEEN, GONE
    }

    static ObservedRow seen(Connection c, long atMs, String state, long timerMs) {
        return new ObservedRow(c.localPort(), c.remotePort(), Event.SEEN, atMs, state, timerMs);
    }

    static ObservedRow gone(Connection c, long atMs, String lastState) {
        return new ObservedRow(c.localPort(), c.remotePort(), Event.GONE, atMs, lastState, null);
    }

    Connection connection() {
        return new Connection(localPort, remotePort);
    }
}
