package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.RawTable;

/** {@code raw/ID.attempts.csv}: one bind() of the new server, and the error when it failed. */
record AttemptRow(int attempt, @RawTable.Column("at_ms") long atMs, Result outcome, String error) {
    static final RawTable<AttemptRow> TABLE = RawTable.of("attempts", AttemptRow.class);

    enum Result { BOUND, FAILED }
}
