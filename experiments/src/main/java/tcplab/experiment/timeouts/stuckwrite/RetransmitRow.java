package tcplab.experiment.timeouts.stuckwrite;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.retransmits.csv}: the client's socket as the socket table showed it, a row each time its
 * retransmission count changed. {@code timerMs}: the time left until the next retransmission timer fires.
 */
record RetransmitRow(@RawTable.Column("at_ms") long atMs, int retransmits, @RawTable.Column("timer_ms") long timerMs,
                     @RawTable.Column("send_queue") long sendQueue) {
    static final RawTable<RetransmitRow> TABLE = RawTable.of("retransmits", RetransmitRow.class);
}
