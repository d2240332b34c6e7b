package tcplab.experiment.timeouts.connecttimeout;

import tcplab.experiment.RawTable;

/** {@code raw/ID.syns.csv}: a connecting socket as the socket table showed it, a row each time its SYN retransmissions went up. */
record SynRow(int attempt, @RawTable.Column("at_ms") long atMs, @RawTable.Column("local_port") int localPort, int retransmits) {
    static final RawTable<SynRow> TABLE = RawTable.of("syns", SynRow.class);
}
