package tcplab.experiment.timeouts.acceptoverflow;

import tcplab.experiment.RawTable;

/** {@code raw/ID.connects.csv}: one client's connect: when it started and ended, how it ended, and the error it got. */
record ConnectRow(int client, @RawTable.Column("start_ms") long startMs, @RawTable.Column("end_ms") long endMs, Outcome outcome,
                  String error) {
    static final RawTable<ConnectRow> TABLE = RawTable.of("connects", ConnectRow.class);

    /** How a connect ended. */
    enum Outcome { CONNECTED, TIMEOUT, REFUSED, RESET, ERROR }

    double seconds() {
        return (endMs - startMs) / 1000.0;
    }
}
