package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.RawTable;

/** {@code raw/ID.leftover.csv}: the sockets left on the port in one TCP state when the new server starts. */
record LeftoverRow(String state, long sockets) {
    static final RawTable<LeftoverRow> TABLE = RawTable.of("leftover", LeftoverRow.class);
}
