package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.LineRequest;
import tcplab.experiment.RawTable;
import tcplab.experiment.RawTable.Column;

/**
 * {@code raw/ID.reconnect.csv}: the connect() from a source port the server still held: its outcome,
 * the server's socket state before it, and what the kernel counters moved by meanwhile (column names:
 * the counters' own).
 */
record ReconnectRow(@Column("local_port") int localPort, LineRequest.Outcome outcome, @Column("connect_us") long connectUs,
                    @Column("server_state_before") String serverStateBefore, @Column("TcpExt.TCPChallengeACK") long challengeAcks,
                    @Column("client Tcp.OutRsts") long clientResets, @Column("server Tcp.EstabResets") long serverResets) {
    static final RawTable<ReconnectRow> TABLE = RawTable.of("reconnect", ReconnectRow.class);
}
