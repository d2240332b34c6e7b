package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.RawTable;

/** {@code raw/ID.java-defaults.csv}: SO_REUSEADDR as a fresh socket of one Java API has it. */
record JavaDefaultRow(String api, @RawTable.Column("so_reuseaddr") boolean soReuseAddr) {
    static final RawTable<JavaDefaultRow> TABLE = RawTable.of("java-defaults", JavaDefaultRow.class);
}
