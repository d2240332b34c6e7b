package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.RawTable;

/** {@code raw/ID.events.csv}: when the old server went, and when the new one started. */
record EventRow(Event event, @RawTable.Column("at_ms") long atMs) {
    static final RawTable<EventRow> TABLE = RawTable.of("events", EventRow.class);

    /** The first three say how the old server went: one of them per configuration. */
    enum Event {
        OLD_KILLED, OLD_STOPPED_LISTENING, OLD_EXITED, NEW_STARTED
    }
}
