package tcplab.experiment.timeouts.deadpeer;

import tcplab.experiment.RawTable;

/** {@code raw/ID.events.csv}: what the run side did and when: the fault, and on DROP how many packets the server host dropped. */
record EventRow(String event, @RawTable.Column("at_ms") long atMs) {
    static final RawTable<EventRow> TABLE = RawTable.of("events", EventRow.class);
}
