package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.LineRequest;
import tcplab.experiment.RawTable;
import tcplab.experiment.RawTable.Column;

/**
 * {@code raw/ID.requests.csv}: one request of the client: when it was sent, what became of it, how
 * long the handshake (-1: none) and the whole took, its source port, and the error when not answered.
 */
record RequestRow(Phase phase, @Column("at_ms") long atMs, LineRequest.Outcome outcome, @Column("connect_us") long connectUs,
                  @Column("total_us") long totalUs, @Column("local_port") int localPort, String detail) {
    static final RawTable<RequestRow> TABLE = RawTable.of("requests", RequestRow.class);

    enum Phase { EARLY, RECONNECT, TRAFFIC, AFTER }

    boolean answered() {
        return outcome == LineRequest.Outcome.ANSWERED;
    }
}
