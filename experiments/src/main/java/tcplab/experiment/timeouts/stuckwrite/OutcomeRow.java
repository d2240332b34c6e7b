package tcplab.experiment.timeouts.stuckwrite;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.outcome.csv}: how the client's writing ended. {@code faultMs} is blank when the fault
 * never came, {@code failedMs} when the write did not fail before the deadline.
 */
record OutcomeRow(Variant variant, @RawTable.Column("fault_ms") Long faultMs, @RawTable.Column("failed_ms") Long failedMs,
                  @RawTable.Column("bytes_written") long bytesWritten, String error) {
    static final RawTable<OutcomeRow> TABLE = RawTable.of("outcome", OutcomeRow.class);

    /** The error of a client that could not set TCP_USER_TIMEOUT starts so. */
    static final String UNAVAILABLE = "unavailable: ";

    /** What the client does about the stuck write. */
    enum Variant { PLAIN, KEEPALIVE, USER_TIMEOUT }

    boolean unavailable() {
        return error.startsWith("unavailable");
    }

    boolean failed() {
        return failedMs != null && faultMs != null;
    }
}
