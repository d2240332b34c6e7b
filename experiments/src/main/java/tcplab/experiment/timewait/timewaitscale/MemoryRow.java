package tcplab.experiment.timewait.timewaitscale;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.memory.csv}, one row written by the run side: the client's TIME_WAIT count and the
 * tw_sock_TCP slab cache before and after the connections, and the cache 1 s before that, to
 * measure the rest of the machine's drift. The slab values are blank where /sys/kernel/slab could
 * not be read (not root).
 */
record MemoryRow(@RawTable.Column("time_wait_before") long timeWaitBefore,
                 @RawTable.Column("time_wait_after") long timeWaitAfter,
                 @RawTable.Column("slab_objects_before") Long slabObjectsBefore,
                 @RawTable.Column("slab_objects_after") Long slabObjectsAfter,
                 @RawTable.Column("slab_size") Long slabSize,
                 @RawTable.Column("object_size") Long objectSize,
                 @RawTable.Column("slab_objects_drift_start") Long slabObjectsDriftStart,
                 @RawTable.Column("drift_start_ms") Long driftStartMs,
                 @RawTable.Column("before_ms") Long beforeMs,
                 @RawTable.Column("after_ms") Long afterMs) {
    static final RawTable<MemoryRow> TABLE = RawTable.of("memory", MemoryRow.class);

    /** The slab objects the rest of the machine added during the measurement, from the drift seen just before; NaN if not measured. */
    double drift() {
        if (slabObjectsDriftStart == null || afterMs == null) {
            return Double.NaN;
        }
        double perMs = (slabObjectsBefore - slabObjectsDriftStart) / (double) Math.max(1, beforeMs - driftStartMs);
        return perMs * (afterMs - beforeMs);
    }
}
