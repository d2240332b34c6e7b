package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Pace;
import tcplab.experiment.Params;
import tcplab.experiment.RawTable;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.KernelCounters;
import tcplab.lab.ServerProcess;
import tcplab.server.ClosePolicy;

/**
 * C5: more TIME_WAIT sockets can exist than there are local ports, their memory cost is small, and
 * tcp_max_tw_buckets caps them.
 *
 * <p>One client connects to a server listening on several ports and closes first, round-robin over
 * the ports, until it has made the connections asked for ({@link ClientAgent}, {@link SecondRow});
 * the run side reads the TIME_WAIT count and the slab cache around it ({@link MemoryRow}), and
 * {@link Claims} compares what they add up to ({@link Tally}) with the model:
 * <ul>
 *   <li>A TIME_WAIT socket is keyed by its whole 4-tuple, so each destination port has a full
 *       range of local ports of its own: up to N × ports TIME_WAIT sockets, capped by
 *       tcp_max_tw_buckets.</li>
 *   <li>Past the cap the kernel does not create the TIME_WAIT socket at all: it counts
 *       TcpExt.TCPTimeWaitOverflow and the port is free at once.</li>
 *   <li>Each TIME_WAIT socket takes one slot of the kernel's tw_sock_TCP slab cache (256 bytes: a
 *       248-byte struct tcp_timewait_sock and the free pointer, on Linux 6.18 x86-64); the experiment
 *       reads the cache's object count before and after (/sys/kernel/slab, readable by root only) and
 *       its slot size, and weighs a socket as the slots grown over the sockets held. The cache counts the
 *       whole machine, where other namespaces' TIME_WAIT sockets (earlier configurations' among them)
 *       expire meanwhile, so the count is also read 1 s before, and that drift is taken out.</li>
 * </ul>
 */
public final class TimeWaitScaleExperiment extends Experiment {
    /** How long the slab count is watched before the connections, to measure the machine's own drift. */
    static final Duration DRIFT_WATCH = Duration.ofSeconds(1);
    private static final Path SLAB = Path.of("/sys/kernel/slab/tw_sock_TCP");

    @Override
    public String oneMachineOnly() {
        return "it fills the client's port ranges with TIME_WAIT sockets and reads the kernel's slab cache, and on a real machine those sockets outlive the configuration by 60 s";
    }

    @Override
    public Pace pace() {
        return Pace.CPU; // connects per second and the kernel's memory per socket are costs
    }

    @Override
    public String name() {
        return "time-wait-scale";
    }

    @Override
    public String title() {
        return "TIME_WAIT at scale: more sockets than ports, their memory, and tcp_max_tw_buckets";
    }

    @Override
    public List<String> claims() {
        return List.of("C5");
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                // 40,000 fits the default range: past the even half of 3 x 28,232 ports (42,348), connect() scans
                // the whole even half before each odd port (__inet_hash_connect) and slows to hundreds a second
                Parameter.integer("connections", 40000, 1, 2_000_000, "connections to open and close (client closes first)"),
                Parameter.integer("ports", 3, 1, 32, "server ports to spread them over; each gives the client a full range of local ports"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofSeconds(params.integer("connections") / 6000 + 2L); // + 1 s watching the slab cache drift
    }

    @Override
    public Duration work(Params params, Map<String, String> sysctls) {
        return expected(params).minusSeconds(1); // the watch is a fixed second
    }

    @Override
    public void run(Trial trial) throws Exception {
        int ports = trial.params().integer("ports");
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < ports; i++) {
            list.add(ServerProcess.PORT + i);
        }
        ServerProcess server = trial.server(ClosePolicy.READ_UNTIL_EOF, "server", list);
        Path procNet = trial.lab().client().procNet();
        long twBefore = KernelCounters.timeWait(procNet);
        long driftStartMs = System.currentTimeMillis();
        long slabDriftStart = slab("objects");
        trial.sleep(DRIFT_WATCH);
        long beforeMs = System.currentTimeMillis();
        long slabBefore = slab("objects");
        trial.agentUntilDone(trial.lab().client(), "client", Map.of("targets", String.join(",", server.addresses())));
        try (RawTable<MemoryRow>.Log rows = MemoryRow.TABLE.open(trial)) {
            long slabAfter = slab("objects");
            rows.add(new MemoryRow(twBefore, KernelCounters.timeWait(procNet), blank(slabBefore), blank(slabAfter), blank(slab("slab_size")),
                    blank(slab("object_size")), blank(slabDriftStart), driftStartMs, beforeMs, System.currentTimeMillis()));
        }
    }

    /** A number from the tw_sock_TCP slab cache's sysfs directory, or -1 where it cannot be read (not root). */
    static long slab(String file) {
        try {
            return Long.parseLong(Files.readString(SLAB.resolve(file)).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A slab reading, null (a blank cell) where it could not be read. */
    private static Long blank(long v) {
        return v < 0 ? null : v;
    }

    @Override
    public void agent(Agent agent) throws Exception {
        ClientAgent.run(agent);
    }

    @Override
    public List<Claim> claims(ExperimentData data) throws IOException {
        return Claims.of(data);
    }

    @Override
    public Section report(ExperimentData data, List<Claim> claims) throws IOException {
        return Report.section(this, data, claims);
    }
}
