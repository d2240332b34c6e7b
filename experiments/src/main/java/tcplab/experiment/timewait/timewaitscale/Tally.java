package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.util.Map;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timewait.EndedEarly;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/**
 * What one configuration measured, from its raw rows and the client's counters, and the room the
 * model gives it: what both the claims and the report's table are made of.
 *
 * @param localPorts   usable local ports (ip_local_port_range)
 * @param timeWait     TIME_WAIT sockets the client held after the connections, less those before
 * @param overflow     TcpExt.TCPTimeWaitOverflow over the configuration
 * @param endedEarly   TIME_WAIT sockets a reset may have ended early (see {@link EndedEarly})
 * @param endedEarlyWhy a sentence for the claim saying so, or empty
 * @param cpus         the machine's CPUs: each keeps slabs of its own, which the cache's count includes whole
 */
record Tally(long made, int localPorts, int serverPorts, long buckets, long timeWait, long overflow, long endedEarly, String endedEarlyWhy,
             MemoryRow memory, int cpus) {
    /** Below this many sockets the machine-wide slab count is too noisy to weigh one socket. */
    static final long MIN_SOCKETS_FOR_MEMORY = 500;

    static Tally of(ExperimentData data, RunData.Result r, MemoryRow memory) throws IOException {
        Map<String, String> sysctls = r.sysctls();
        long made = SecondRow.TABLE.read(data, r).stream().mapToLong(SecondRow::ok).sum();
        // with tcp_tw_reuse in effect connect() takes over TIME_WAIT sockets older than the reuse delay
        // (tcp_twsk_unique, net/ipv4/tcp_ipv4.c; counted as TcpExt.TWRecycled): each ends one early, like a reset
        long recycled = TcpModel.timeWaitReuse(sysctls, false) ? r.clientCounter("TcpExt.TWRecycled", RunData.DELTA) : 0;
        String recycledWhy = recycled == 0 ? "" : String.format(java.util.Locale.ROOT, " With tcp_tw_reuse = 1 and timestamps, connect()"
                + " took over %d TIME_WAIT sockets older than the reuse delay for new connections (TcpExt.TWRecycled): each ended one"
                + " early, so the model allows one fewer held per takeover.", recycled);
        return new Tally(made, TcpModel.usablePorts(sysctls), data.params(r).integer("ports"),
                Long.parseLong(sysctls.getOrDefault("net.ipv4.tcp_max_tw_buckets", "0").trim()),
                memory.timeWaitAfter() - memory.timeWaitBefore(), r.clientCounter("TcpExt.TCPTimeWaitOverflow", RunData.DELTA),
                EndedEarly.allowance(r) + recycled, EndedEarly.explain(r) + recycledWhy, memory, data.cpus());
    }

    /** A TIME_WAIT socket is keyed by the whole 4-tuple: each server port gives the client a full range of local ports. */
    long room() {
        return (long) localPorts * serverPorts;
    }

    /** The model: as many as were made, up to the room and to tcp_max_tw_buckets. */
    long expected() {
        return Math.min(made, Math.min(room(), buckets));
    }

    /** Whether the slab cache was read (root only). */
    boolean slabRead() {
        return memory.slabObjectsAfter() != null;
    }

    long slabGrew() {
        return memory.slabObjectsAfter() - memory.slabObjectsBefore();
    }

    /** The drift taken out of the slab count: 0 where it was not measured. */
    double drift() {
        double measured = memory.drift();
        return Double.isNaN(measured) ? 0 : measured;
    }

    /** The objects the cache grew by for our sockets: its growth less the rest of the machine's drift. */
    double objectsGrown() {
        return slabGrew() - drift();
    }

    /** What those objects take: one slot (slab_size) each. */
    double bytesGrown() {
        return objectsGrown() * memory.slabSize();
    }

    /** The measured figure, in whole bytes, that the claim, its explanation and the report all show: bytes grown ÷ sockets held. */
    long bytesPerSocket() {
        return Math.round(bytesGrown() / timeWait);
    }

    /**
     * How many objects the cache's count may be off by: SLUB counts a CPU's own slab and its per-CPU
     * partial list as in use (mm/slub.c: the cpu slab is frozen with inuse = objects), so up to one
     * slab (a 4 KiB page of slots at order 0) plus cpu_partial objects per CPU are counted before a
     * socket takes them. cpu_partial is set_cpu_partial's (mm/slub.c): 52 for 256 B to 1 KiB objects,
     * 120 below, 24 up to a page, 6 above. And the node keeps up to min_partial empty slabs on its
     * partial list rather than free them (mm/slub.c, __slab_free: an empty slab goes only once
     * nr_partial reaches min_partial, set_min_partial: ilog2(size) / 2 within 5 to 10; 5 for the
     * 256 B tw_sock_TCP, as /sys/kernel/slab/tw_sock_TCP/min_partial says here): after a
     * configuration that freed many TIME_WAIT sockets their slots are taken before the count grows.
     * Seen in a full run: 848 objects grown for 1000 sockets right after one that freed 89,000.
     */
    long slabGranule() {
        if (memory.slabSize() == null || memory.slabSize() <= 0) {
            return 0; // not read (not root): nothing is weighed
        }
        long size = memory.slabSize();
        int partial = size >= 4096 ? 6 : size >= 1024 ? 24 : size >= 256 ? 52 : 120;
        long perSlab = Math.max(1, 4096 / size);
        int minPartial = (int) Math.max(5, Math.min(10, (63 - Long.numberOfLeadingZeros(size)) / 2));
        return (long) cpus * (perSlab + partial) + minPartial * perSlab;
    }

    /** The claim's tolerance: 10 %, or what the slab's granule is of the sockets held, when more. */
    double memoryTolerance() {
        return Math.max(0.10, (double) slabGranule() / Math.max(1, timeWait));
    }

    /** Enough sockets, and little enough drift (5 % of them), for the slab count to weigh one within 10 %. */
    boolean weighable() {
        return timeWait >= MIN_SOCKETS_FOR_MEMORY && Math.abs(drift()) <= 0.05 * timeWait;
    }
}
