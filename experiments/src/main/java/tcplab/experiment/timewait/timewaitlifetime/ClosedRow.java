package tcplab.experiment.timewait.timewaitlifetime;

import tcplab.experiment.RawTable;

/** {@code raw/ID.closed.csv}, written by the client agent: one connection it closed, into which state, and when. */
record ClosedRow(@RawTable.Column("local_port") int localPort, @RawTable.Column("remote_port") int remotePort, Kind kind,
                 @RawTable.Column("closed_ms") long closedMs) {
    static final RawTable<ClosedRow> TABLE = RawTable.of("closed", ClosedRow.class);

    /** Where the close leads: the server closes after the client (TIME_WAIT), or never does (an orphaned FIN_WAIT_2). */
    enum Kind {
        TIME_WAIT, FIN_WAIT2
    }

    /** The client's end of a connection, as the socket table names it. */
    record Connection(int localPort, int remotePort) {
    }

    Connection connection() {
        return new Connection(localPort, remotePort);
    }
}
