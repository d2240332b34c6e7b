package tcplab.experiment.timewait.portexhaustion;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.bins.csv}: one tenth of a second of the client's connects, so the charts can show the
 * range filling and a reuse delay refilling it, both shorter than a second: the bin's end since the
 * client began, its complete connects, its EADDRNOTAVAIL failures, and the host's TIME_WAIT sockets
 * at its end. Runs recorded before this file have only {@link SecondRow}s; the charts then bin by second.
 */
record BinRow(@RawTable.Column("end_ms") long endMs, long ok, long addrNotAvailable, @RawTable.Column("time_wait") long timeWait) {
    static final RawTable<BinRow> TABLE = RawTable.of("bins", BinRow.class);
    static final long MILLIS = 100;
}
