package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.results.RunData;

/** C5's claims, per configuration: TIME_WAIT sockets at once, the overflow past tcp_max_tw_buckets, and their memory. */
final class Claims {
    static final Claim.Metric AT_ONCE = Claim.Metric.of("time_wait_sockets_at_once", "TIME_WAIT sockets at once", "sockets");
    static final Claim.Metric OVERFLOW = Claim.Metric.of("time_wait_overflow", "TcpExt.TCPTimeWaitOverflow", "sockets");
    static final Claim.Metric TW_MEMORY = Claim.Metric.of("time_wait_bytes_per_socket", "kernel memory per TIME_WAIT socket", "bytes");
    private static final String EXPERIMENT = "time-wait-scale";

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            List<MemoryRow> memory = MemoryRow.TABLE.read(data, r);
            if (r.ok() && !memory.isEmpty()) {
                claims.addAll(of(data.where(r, "net.ipv4.ip_local_port_range", "net.ipv4.tcp_max_tw_buckets"), Tally.of(data, r, memory.get(0))));
            }
        }
        return claims;
    }

    static List<Claim> of(Claim.Where where, Tally t) {
        List<Claim> claims = new ArrayList<>();
        long expected = t.expected();
        claims.add(Claim.between("C5", EXPERIMENT, where, AT_ONCE, expected, t.timeWait(), (expected - t.endedEarly()) * 0.98, expected * 1.02,
                String.format(Locale.ROOT, "A TIME_WAIT socket is keyed by the whole 4-tuple, so each of the %d server ports gives the"
                                + " client its own %d local ports: room for %d, %s than the ports; tcp_max_tw_buckets = %d caps them; %d"
                                + " connections were made.%s", t.serverPorts(), t.localPorts(), t.room(), t.room() > t.localPorts() ? "more" : "no more",
                        t.buckets(), t.made(), t.endedEarlyWhy()))
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

    /** Each TIME_WAIT socket is one tw_sock_TCP slab object: weighed from the cache's growth, when it can be. */
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
        return Claim.compare("C5", EXPERIMENT, where, TW_MEMORY, m.slabSize(), Math.round(t.bytesPerSocket()), 0.10, String.format(Locale.ROOT,
                "Each TIME_WAIT socket is one object of the tw_sock_TCP slab cache (%s bytes in a %d-byte slot): the cache grew by %d objects"
                        + " for %d sockets; %s. %d of them hold %s.", m.objectSize(), m.slabSize(), t.slabGrew(), tw, noise, tw,
                megabytes(tw * m.slabSize())));
    }

    private static String megabytes(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0) : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
