package tcplab.experiment.timewait.portexhaustion;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.seconds.csv}: one second of the client's connects: complete ones, failures by cause
 * (the column names are {@link tcplab.socket.FailureCause}'s counter names), the host's TIME_WAIT
 * sockets at the end of it, and connect() latency; the latencies are blank in a second with no
 * complete connection.
 */
record SecondRow(int second, long ok, long addrNotAvailable, long refused, long timedOut, long reset, long other,
                 @RawTable.Column("time_wait") long timeWait,
                 @RawTable.Column("connect_p50_us") Long connectP50Us,
                 @RawTable.Column("connect_p90_us") Long connectP90Us,
                 @RawTable.Column("connect_p99_us") Long connectP99Us,
                 @RawTable.Column("connect_max_us") Long connectMaxUs) {
    static final RawTable<SecondRow> TABLE = RawTable.of("seconds", SecondRow.class);
}
