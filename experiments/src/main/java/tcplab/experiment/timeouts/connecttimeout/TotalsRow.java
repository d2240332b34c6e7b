package tcplab.experiment.timeouts.connecttimeout;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.totals.csv}, one row: the SYNs the server host's rule dropped, and the client host's
 * SYN retransmission counter over the configuration.
 */
record TotalsRow(@RawTable.Column("syns_dropped") long synsDropped, @RawTable.Column("TcpExt.TCPSynRetrans") long synRetransmits) {
    static final RawTable<TotalsRow> TABLE = RawTable.of("totals", TotalsRow.class);
}
