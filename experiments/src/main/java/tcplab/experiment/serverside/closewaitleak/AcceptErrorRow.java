package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.RawTable;

/** {@code raw/ID.accept-errors.csv}: one accept() that failed in the server, and its error. */
record AcceptErrorRow(@RawTable.Column("at_ms") long atMs, String error) {
    static final RawTable<AcceptErrorRow> TABLE = RawTable.of("accept-errors", AcceptErrorRow.class);
}
