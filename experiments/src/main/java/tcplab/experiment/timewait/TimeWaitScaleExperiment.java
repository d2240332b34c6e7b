package tcplab.experiment.timewait;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Parameter;
import tcplab.experiment.Params;
import tcplab.experiment.Section;
import tcplab.experiment.Trial;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpModel;
import tcplab.lab.ServerProcess;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;
import tcplab.socket.Client;
import tcplab.socket.FailureCause;
import tcplab.socket.Target;

/**
 * C5: more TIME_WAIT sockets can exist than there are local ports, their memory cost is small, and
 * tcp_max_tw_buckets caps them.
 *
 * <p>One client connects to a server listening on several ports and closes first, round-robin over
 * the ports, until it has made the connections asked for. The model:
 * <ul>
 *   <li>A TIME_WAIT socket is keyed by its whole 4-tuple, so each destination port has a full
 *       range of local ports of its own: up to N × ports TIME_WAIT sockets, capped by
 *       tcp_max_tw_buckets.</li>
 *   <li>Past the cap the kernel does not create the TIME_WAIT socket at all: it counts
 *       TcpExt.TCPTimeWaitOverflow and the port is free at once.</li>
 *   <li>Each TIME_WAIT socket is one object of the kernel's tw_sock_TCP slab cache (248 bytes in a
 *       256-byte slot on Linux 6.x x86-64); the experiment reads the cache's object count before and
 *       after (/sys/kernel/slab, readable by root only) and its object size. The cache counts the
 *       whole machine, where other namespaces' TIME_WAIT sockets (earlier configurations' among them)
 *       expire meanwhile, so the count is also read 1 s before, and that drift is taken out.</li>
 * </ul>
 */
public final class TimeWaitScaleExperiment extends Experiment {
    /** Below this many sockets the machine-wide slab count is too noisy to weigh one socket. */
    static final long MIN_SOCKETS_FOR_MEMORY = 500;
    /** How long the slab count is watched before the connections, to measure the machine's own drift. */
    static final Duration DRIFT_WATCH = Duration.ofSeconds(1);
    private static final Path SLAB = Path.of("/sys/kernel/slab/tw_sock_TCP");
    private static final String[] SECONDS = {"second", "ok", "addrNotAvailable", "other", "time_wait"};
    private static final String[] MEMORY = {"time_wait_before", "time_wait_after", "slab_objects_before", "slab_objects_after",
        "slab_size", "object_size", "slab_objects_drift_start", "drift_start_ms", "before_ms", "after_ms"};

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
                Parameter.integer("connections", 90000, 1, 2_000_000, "connections to open and close (client closes first)"),
                Parameter.integer("ports", 3, 1, 32, "server ports to spread them over; each gives the client a full range of local ports"));
    }

    @Override
    public Duration expected(Params params) {
        return Duration.ofSeconds(params.integer("connections") / 6000 + 2L); // + 1 s watching the slab cache drift
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
        try (RunFolder.CsvLog rows = trial.rows("memory", MEMORY)) {
            long slabAfter = slab("objects");
            rows.row(twBefore, KernelCounters.timeWait(procNet), blank(slabBefore), blank(slabAfter), blank(slab("slab_size")),
                    blank(slab("object_size")), blank(slabDriftStart), driftStartMs, beforeMs, System.currentTimeMillis());
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

    /** The slab objects the rest of the machine added during the measurement, from the drift seen just before; NaN if not measured. */
    static double drift(Map<String, String> m) {
        String start = m.getOrDefault("slab_objects_drift_start", "");
        if (start.isEmpty() || m.getOrDefault("after_ms", "").isEmpty()) {
            return Double.NaN;
        }
        double perMs = (Long.parseLong(m.get("slab_objects_before")) - Long.parseLong(start))
                / (double) Math.max(1, Long.parseLong(m.get("before_ms")) - Long.parseLong(m.get("drift_start_ms")));
        return perMs * (Long.parseLong(m.get("after_ms")) - Long.parseLong(m.get("before_ms")));
    }

    private static Object blank(long v) {
        return v < 0 ? "" : v;
    }

    /** The client: connect and close, round-robin over the server's ports, until done or out of ports. */
    @Override
    public void agent(Agent agent) throws Exception {
        Params p = agent.params();
        int wanted = p.integer("connections");
        List<Client> targets = new ArrayList<>();
        for (String t : p.get("targets").split(",")) {
            targets.add(new Client(Target.parse(t), false, -1, 5000));
        }
        Path procNet = Path.of("/proc/self/net");
        long ok = 0;
        long noPort = 0;
        long other = 0;
        int streak = 0; // consecutive EADDRNOTAVAIL over every port: nothing left to take
        try (RunFolder.CsvLog rows = agent.rows("seconds", SECONDS)) {
            long nextRow = System.nanoTime() + 1_000_000_000L;
            int second = 1;
            long[] window = new long[3];
            for (long i = 0; ok < wanted && !agent.expired() && streak < 1000L * targets.size(); i++) {
                try (SocketChannel channel = targets.get((int) (i % targets.size())).open()) {
                    ok++;
                    window[0]++;
                    streak = 0;
                } catch (IOException e) {
                    if (FailureCause.of(e) == FailureCause.ADDRESS_NOT_AVAILABLE) {
                        noPort++;
                        window[1]++;
                        streak++;
                    } else {
                        other++;
                        window[2]++;
                    }
                }
                if (System.nanoTime() - nextRow >= 0) {
                    long tw = KernelCounters.timeWait(procNet);
                    rows.row(second, window[0], window[1], window[2], tw);
                    agent.say(String.format(Locale.ROOT, "second %d: %d connections so far, TIME_WAIT %d", second++, ok, tw));
                    window = new long[3];
                    nextRow += 1_000_000_000L;
                }
            }
            rows.row(second, window[0], window[1], window[2], KernelCounters.timeWait(procNet));
        }
        agent.signal(String.format(Locale.ROOT, "done ok=%d addrNotAvailable=%d other=%d", ok, noPort, other));
    }

    @Override
    public Section report(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        StringBuilder table = new StringBuilder("| configuration | connections made | local ports × server ports | tcp_max_tw_buckets | TIME_WAIT"
                + " at once | TCPTimeWaitOverflow | kernel memory per TIME_WAIT socket |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunData.Result r : data.trials()) {
            List<Map<String, String>> memory = data.rows(r, "memory");
            if (!r.ok() || memory.isEmpty()) {
                table.append("| ").append(r.label()).append(" | not measured: ").append(r.status()).append(" | | | | | |\n");
                continue;
            }
            Map<String, String> m = memory.get(0);
            Params params = data.params(r);
            long made = data.rows(r, "seconds").stream().mapToLong(x -> Long.parseLong(x.get("ok"))).sum();
            int ports = TcpModel.usablePorts(r.sysctls());
            int serverPorts = params.integer("ports");
            long buckets = Long.parseLong(r.sysctls().getOrDefault("net.ipv4.tcp_max_tw_buckets", "0").trim());
            long tw = Long.parseLong(m.get("time_wait_after")) - Long.parseLong(m.get("time_wait_before"));
            long overflow = r.clientCounter("TcpExt.TCPTimeWaitOverflow", RunData.DELTA);
            long expected = Math.min(made, Math.min((long) ports * serverPorts, buckets));
            Claim.Where conditions = data.where(r, "net.ipv4.ip_local_port_range", "net.ipv4.tcp_max_tw_buckets");
            long endedEarly = EndedEarly.allowance(r); // a reset ends a TIME_WAIT socket early
            claims.add(Claim.between("C5", name(), conditions, AT_ONCE, expected, tw, (expected - endedEarly) * 0.98,
                    expected * 1.02,
                    String.format(Locale.ROOT, "A TIME_WAIT socket is keyed by the whole 4-tuple, so each of the %d server ports gives the"
                                    + " client its own %d local ports: room for %d, %s than the ports; tcp_max_tw_buckets = %d caps them; %d"
                                    + " connections were made.%s", serverPorts, ports, (long) ports * serverPorts,
                            (long) ports * serverPorts > ports ? "more" : "no more", buckets, made, EndedEarly.explain(r)))
                    .band("model − one per early-ended TIME_WAIT (" + endedEarly + ") − 2 % to model + 2 %"));
            if (made > buckets) {
                claims.add(Claim.compare("C5", name(), conditions, OVERFLOW, made - buckets, overflow, 0.02,
                        String.format(Locale.ROOT, "Past tcp_max_tw_buckets = %d the kernel creates no TIME_WAIT socket: it counts the overflow"
                                + " and the connection is gone at once, so its port is free again.", buckets)));
            }
            String perSocket = "";
            if (!m.get("slab_objects_after").isEmpty() && tw > 0) {
                long slabSize = Long.parseLong(m.get("slab_size"));
                long grew = Long.parseLong(m.get("slab_objects_after")) - Long.parseLong(m.get("slab_objects_before"));
                double measuredDrift = drift(m); // objects the rest of the machine added (or freed) meanwhile, extrapolated
                double drift = Double.isNaN(measuredDrift) ? 0 : measuredDrift;
                double measured = (grew - drift) * slabSize / tw;
                String noise = Double.isNaN(measuredDrift) ? "the rest of the machine's drift was not measured in this run (its raw files"
                        + " predate that)" : String.format(Locale.ROOT, "the rest of the machine changed it by %+.0f objects meanwhile"
                                + " (drift measured over 1 s before, extrapolated), taken out", drift);
                if (tw < MIN_SOCKETS_FOR_MEMORY || Math.abs(drift) > 0.05 * tw) {
                    perSocket = "not weighed (" + tw + " sockets)";
                    claims.add(Claim.skipped("C5", name(), conditions, TW_MEMORY, String.format(Locale.ROOT,
                            "%d TIME_WAIT sockets cannot be weighed here: the slab cache counts the whole machine and grew by %d; %s. Too"
                                    + " few sockets, or too much drift (more than 5%% of them), for a reading within 10%%.", tw, grew, noise)));
                } else {
                    perSocket = Format.number(measured) + " B";
                    claims.add(Claim.compare("C5", name(), conditions, TW_MEMORY, slabSize, Math.round(measured), 0.10, String.format(Locale.ROOT, "Each TIME_WAIT socket is one object of the tw_sock_TCP slab cache"
                                    + " (%s bytes in a %d-byte slot): the cache grew by %d objects for %d sockets; %s. %d of them hold %s.",
                                    m.get("object_size"), slabSize, grew, tw, noise, tw, megabytes(tw * slabSize))));
                }
            } else if (m.get("slab_objects_after").isEmpty()) {
                perSocket = "not weighed (needs root)";
                claims.add(Claim.skipped("C5", name(), conditions, TW_MEMORY,
                        "/sys/kernel/slab is readable by root only; this run was not root"));
            }
            table.append(String.format(Locale.ROOT, "| %s | %d | %d × %d | %d | %d | %d | %s |%n", r.label(), made, ports, serverPorts,
                    buckets, tw, overflow, perSocket));
        }
        String md = "One client connects to a server listening on several ports and closes first. The model: TIME_WAIT is keyed by the"
                + " 4-tuple, so N local ports × P server ports can be in TIME_WAIT at once, up to tcp_max_tw_buckets; past it the kernel"
                + " drops the socket and counts TCPTimeWaitOverflow. Each TIME_WAIT socket is one small slab object.\n\n" + table + "\n";
        return new Section(name(), title(), md, claims);
    }

    static final Claim.Metric AT_ONCE = Claim.Metric.of("time_wait_sockets_at_once", "TIME_WAIT sockets at once", "sockets");
    static final Claim.Metric OVERFLOW = Claim.Metric.of("time_wait_overflow", "TcpExt.TCPTimeWaitOverflow", "sockets");
    static final Claim.Metric TW_MEMORY = Claim.Metric.of("time_wait_bytes_per_socket", "kernel memory per TIME_WAIT socket", "bytes");

    private static String megabytes(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0) : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
