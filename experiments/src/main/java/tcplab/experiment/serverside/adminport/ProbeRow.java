package tcplab.experiment.serverside.adminport;

import tcplab.experiment.LineRequest;
import tcplab.experiment.RawTable;

/** {@code raw/ID.probes.csv}: one management request, sent at {@code atMs}; the times are -1 where it got no further. */
record ProbeRow(@RawTable.Column("at_ms") long atMs, LineRequest.Outcome outcome, @RawTable.Column("connect_us") long connectUs,
                @RawTable.Column("total_us") long totalUs, String detail) {
    static final RawTable<ProbeRow> TABLE = RawTable.of("probes", ProbeRow.class);
}
