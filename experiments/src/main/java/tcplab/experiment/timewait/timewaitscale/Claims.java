package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C5's claims, per configuration: TIME_WAIT sockets at once, the overflow past tcp_max_tw_buckets, and their memory. */
final class Claims {
    static final Claim.Metric AT_ONCE = Claim.Metric.of("time_wait_sockets_at_once", "TIME_WAIT sockets at once", "sockets");
    static final Claim.Metric OVERFLOW = Claim.Metric.of("time_wait_overflow", "TcpExt.TCPTimeWaitOverflow", "sockets");
    static final Claim.Metric TW_MEMORY = Claim.Metric.of("time_wait_bytes_per_socket", "tw_sock_TCP slab bytes grown per TIME_WAIT socket held",
            "bytes");
    private static final String EXPERIMENT = "time-wait-scale";
    private static final String PORT_RANGE = "net.ipv4.ip_local_port_range";

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<MemoryRow> memory = MemoryRow.TABLE.read(data, r);
            if (r.ok() && !memory.isEmpty()) {
                Tally t = Tally.of(data, r, memory.get(0));
                String scaled = TcpModel.scaledFromDefaults(r.sysctls(), PORT_RANGE);
                for (Claim c : of(data.where(r, PORT_RANGE, "net.ipv4.tcp_max_tw_buckets"), t)) {
                    claims.add(scaled(c, t, scaled));
                }
            }
        }
        return claims;
    }

    /**
     * A scaled-down port range, named: the 4-tuple rule, the cap and the slot size hold at any range, so
     * a row keeps its verdict; only the room changes at the default range.
     */
    static Claim scaled(Claim c, Tally t, String scaled) {
        if (scaled.isEmpty() || c.verdict() == Claim.Verdict.SKIPPED) {
            return c;
        }
        if (!c.metric().equals(AT_ONCE)) {
            return c.scaledAtAnyValue(scaled, c.model()); // the range does not enter these models
        }
        long room = (long) TcpModel.DEFAULT_PORTS * t.serverPorts();
        return c.scaledAtAnyValue(scaled, String.format(Locale.ROOT, "%d sockets (room for %d)", Math.min(t.made(), Math.min(room, t.buckets())),
                room));
    }

    static List<Claim> of(Claim.Where where, Tally t) {
        List<Claim> claims = new ArrayList<>();
        long expected = t.expected();
        claims.add(Claim.between("C5", EXPERIMENT, where, AT_ONCE, expected, t.timeWait(), (expected - t.endedEarly()) * 0.98, expected * 1.02,
                String.format(Locale.ROOT, "A TIME_WAIT socket is keyed by the whole 4-tuple, so each of the %d server ports gives the"
                                + " client its own %d local ports: room for %d TIME_WAIT sockets, %s the %d local ports and %s %d connections"
                                + " made; tcp_max_tw_buckets = %d caps them.%s", t.serverPorts(), t.localPorts(), t.room(),
                        t.room() > t.localPorts() ? "more than" : "no more than", t.localPorts(),
                        t.room() >= t.made() ? "enough for all" : "too few for the", t.made(), t.buckets(), t.endedEarlyWhy()))
                .band("model − one per early-ended TIME_WAIT (" + t.endedEarly() + ") − 2 % to model + 2 %"));
        if (t.made() > t.buckets()) {
            claims.add(Claim.compare("C5", EXPERIMENT, where, OVERFLOW, t.made() - t.buckets(), t.overflow(), 0.02,
                    String.format(Locale.ROOT, "Past tcp_max_tw_buckets = %d the kernel creates no TIME_WAIT socket: it counts the overflow"
                            + " and the connection is gone at once, so its port is free again.", t.buckets())));
        }
        if (!t.slabRead()) {
            claims.add(Claim.skipped("C5", EXPERIMENT, where, TW_MEMORY, "/sys/kernel/slab is readable by root only; this run was not root"));
        } else if (t.timeWait() > 0) {
            claims.add(memory(where, t));
        }
        return claims;
    }

    /**
     * Model: one slot of the tw_sock_TCP cache per TIME_WAIT socket, the cache's slab_size. The cache is
     * created with twsk_obj_size = sizeof(struct tcp_timewait_sock) (net/ipv4/tcp_ipv4.c, tw_prot_init in
     * net/core/sock.c) and tcp_prot's SLAB_TYPESAFE_BY_RCU, so SLUB keeps the free pointer after the
     * object (calculate_sizes, mm/slub.c): 248 + 8 = 256 bytes as read on Linux 6.18 x86-64. Measured: the cache's
     * growth in slots, less drift, over the sockets held.
     */
    private static Claim memory(Claim.Where where, Tally t) {
        MemoryRow m = t.memory();
        long tw = t.timeWait();
        String noise = Double.isNaN(m.drift()) ? "the rest of the machine's drift was not measured in this run (its raw files predate that)"
                : String.format(Locale.ROOT, "the rest of the machine changed it by %+.0f objects meanwhile (drift measured over 1 s before,"
                        + " extrapolated), taken out", t.drift());
        if (!t.weighable()) {
            return Claim.skipped("C5", EXPERIMENT, where, TW_MEMORY, String.format(Locale.ROOT,
                    "%d TIME_WAIT sockets cannot be weighed here: the slab cache counts the whole machine and grew by %d; %s. Too"
                            + " few sockets, or too much drift (more than 5%% of them), for a reading within 10%%.", tw, t.slabGrew(), noise));
        }
        return Claim.compare("C5", EXPERIMENT, where, TW_MEMORY, m.slabSize(), t.bytesPerSocket(), t.memoryTolerance(), String.format(Locale.ROOT,
                "Model: each TIME_WAIT socket takes one %d-byte slot of the tw_sock_TCP slab cache (a %s-byte struct tcp_timewait_sock and"
                        + " the free pointer the slab keeps after it). Measured: the cache grew by %d objects while the client came to hold %d"
                        + " TIME_WAIT sockets; %s: %s objects × %d B ÷ %d sockets = %d B a socket, %s for all %d.", m.slabSize(),
                m.objectSize(), t.slabGrew(), tw, noise, Claim.number(t.objectsGrown()), m.slabSize(), tw, t.bytesPerSocket(),
                megabytes(Math.round(t.bytesGrown())), tw)).band(String.format(Locale.ROOT, "model ± %.0f %%: the cache counts whole"
                + " per-CPU slabs and partial lists and the empty slabs a node keeps, up to %d objects on %d CPUs, %.0f %% of %d sockets;"
                + " 10 %% at least",
                t.memoryTolerance() * 100, t.slabGranule(), t.cpus(), 100.0 * t.slabGranule() / Math.max(1, tw), tw));
    }

    private static String megabytes(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0) : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
