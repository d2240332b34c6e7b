package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.RawTable;

/** {@code raw/ID.events.csv}: when each phase began, by the lab's clock. */
record EventRow(Event event, @RawTable.Column("at_ms") long atMs) {
    static final RawTable<EventRow> TABLE = RawTable.of("events", EventRow.class);

    /** In the order they happen; {@code EARLY} and {@code RECONNECT} only with the leaky handler. */
    enum Event {
        START, EARLY, RECONNECT, TRAFFIC, HOLD, CLOSE, AFTER, END
    }
}
