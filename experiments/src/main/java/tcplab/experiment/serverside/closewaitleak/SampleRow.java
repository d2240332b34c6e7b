package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.RawTable;
import tcplab.experiment.RawTable.Column;

/**
 * {@code raw/ID.samples.csv}: one look at both hosts, every 200 ms: the server's sockets on its port
 * by state and its accept queue, the server process's descriptors, CPU time and memory (-1 once it is
 * gone), and the client's sockets waiting on the server.
 */
record SampleRow(@Column("at_ms") long atMs, @Column("server_close_wait") long serverCloseWait,
                 @Column("server_established") long serverEstablished, @Column("server_accept_queue") long serverAcceptQueue,
                 @Column("server_fds") long serverFds, @Column("server_cpu_ms") long serverCpuMs, @Column("server_rss_kb") long serverRssKb,
                 @Column("client_fin_wait2") long clientFinWait2, @Column("client_time_wait") long clientTimeWait) {
    static final RawTable<SampleRow> TABLE = RawTable.of("samples", SampleRow.class);
}
