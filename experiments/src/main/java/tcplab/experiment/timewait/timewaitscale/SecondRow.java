package tcplab.experiment.timewait.timewaitscale;

import tcplab.experiment.RawTable;

/** {@code raw/ID.seconds.csv}, written by the client agent: one second's connections, failures, and the TIME_WAIT count at its end. */
record SecondRow(int second, long ok, long addrNotAvailable, long other, @RawTable.Column("time_wait") long timeWait) {
    static final RawTable<SecondRow> TABLE = RawTable.of("seconds", SecondRow.class);
}
