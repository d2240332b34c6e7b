package tcplab.experiment.serverside.adminport;

import tcplab.experiment.RawTable;

/** {@code raw/ID.events.csv}: when the run side started each phase, and when it ended the last. */
record EventRow(Event event, @RawTable.Column("at_ms") long atMs) {
    static final RawTable<EventRow> TABLE = RawTable.of("events", EventRow.class);

    enum Event {
        CALM, STUCK, RECOVERED, END
    }
}
