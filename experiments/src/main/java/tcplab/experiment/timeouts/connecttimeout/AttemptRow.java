package tcplab.experiment.timeouts.connecttimeout;

import java.util.Locale;
import tcplab.experiment.RawTable;

/** {@code raw/ID.attempts.csv}: one connect(), when it started and ended, and how. */
record AttemptRow(int attempt, @RawTable.Column("start_ms") long startMs, @RawTable.Column("end_ms") long endMs, Outcome outcome,
                  String error) {
    static final RawTable<AttemptRow> TABLE = RawTable.of("attempts", AttemptRow.class);

    /** How a connect() ended. */
    enum Outcome {
        CONNECTED, APPLICATION_TIMEOUT, KERNEL_TIMEOUT, ERROR;

        /** kernel-timeout: as the raw file has always had it (a CSV cell is its toString) and the claims say it. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    double seconds() {
        return (endMs - startMs) / 1000.0;
    }
}
