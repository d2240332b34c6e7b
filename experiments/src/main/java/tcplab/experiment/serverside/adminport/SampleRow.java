package tcplab.experiment.serverside.adminport;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.server.csv}: the server's pool, its listeners' accept queues (-1: the listener was not
 * seen; the management one is null in SHARED mode, where there is none) and the host's counters, every 100 ms.
 */
record SampleRow(@RawTable.Column("at_ms") long atMs, @RawTable.Column("busy_workers") int busyWorkers, int queued,
                 @RawTable.Column("business_accept_queue") long businessAcceptQueue,
                 @RawTable.Column("admin_accept_queue") Long adminAcceptQueue,
                 @RawTable.Column("listen_overflows") long listenOverflows, @RawTable.Column("listen_drops") long listenDrops) {
    static final RawTable<SampleRow> TABLE = RawTable.of("server", SampleRow.class);
}
