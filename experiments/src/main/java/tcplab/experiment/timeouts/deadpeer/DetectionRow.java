package tcplab.experiment.timeouts.deadpeer;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.detections.csv}: when one mechanism's connection went idle, when the fault came, and
 * when (blank: not within the window) and how the client noticed.
 */
record DetectionRow(Mechanism mechanism, @RawTable.Column("idle_since_ms") long idleSinceMs, @RawTable.Column("fault_ms") long faultMs,
                    @RawTable.Column("detected_ms") Long detectedMs, String how) {
    static final RawTable<DetectionRow> TABLE = RawTable.of("detections", DetectionRow.class);

    /** How the client could notice. */
    enum Mechanism { NONE, KEEPALIVE_DEFAULT, KEEPALIVE_TUNED, HEARTBEAT }

    boolean noticed() {
        return detectedMs != null;
    }

    /** Seconds from the fault until the client noticed; NaN if it did not. */
    double noticedAfter() {
        return noticed() ? (detectedMs - faultMs) / 1000.0 : Double.NaN;
    }

    /** Seconds the connection had been idle when the fault came: keepalive counts from the last activity. */
    double idleBeforeFault() {
        return (faultMs - idleSinceMs) / 1000.0;
    }
}
