package tcplab.experiment.timewait.portrangecost;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.levels.csv}: one fill level: the share of the range asked for, the TIME_WAIT sockets
 * and the share of the range they hold (one decimal), the probes that connected and those that
 * failed, and their connect() latency (blank when none connected).
 */
record LevelRow(@RawTable.Column("level_percent") int levelPercent,
                @RawTable.Column("time_wait") long timeWait,
                @RawTable.Column("occupancy_percent") double occupancyPercent,
                long probes, long failed,
                @RawTable.Column("connect_p50_us") Long connectP50Us,
                @RawTable.Column("connect_p90_us") Long connectP90Us,
                @RawTable.Column("connect_p99_us") Long connectP99Us,
                @RawTable.Column("connect_max_us") Long connectMaxUs) {
    static final RawTable<LevelRow> TABLE = RawTable.of("levels", LevelRow.class);
}
