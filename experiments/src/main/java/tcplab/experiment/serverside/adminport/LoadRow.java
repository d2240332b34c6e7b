package tcplab.experiment.serverside.adminport;

import tcplab.experiment.LineRequest;
import tcplab.experiment.RawTable;

/** {@code raw/ID.load.csv}: one business request; NO_ANSWER means connected and held open, as meant. */
record LoadRow(@RawTable.Column("at_ms") long atMs, LineRequest.Outcome outcome, @RawTable.Column("connect_us") long connectUs) {
    static final RawTable<LoadRow> TABLE = RawTable.of("load", LoadRow.class);
}
