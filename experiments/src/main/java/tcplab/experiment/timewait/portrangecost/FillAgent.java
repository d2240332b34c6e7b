package tcplab.experiment.timewait.portrangecost;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tcplab.experiment.Agent;
import tcplab.experiment.RawTable;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.Sysctl;
import tcplab.kernel.TcpModel;
import tcplab.socket.Client;
import tcplab.socket.Target;

/** The client inside its host: fill the range to each level with FIN closes, then time RST-closed probes, a {@link LevelRow} a level. */
final class FillAgent {
    /** Shares of the range, in per cent: dense around 50 %, where the model puts the step. */
    static final int[] LEVELS = {0, 10, 25, 40, 48, 52, 60, 75, 90, 99};

    private final Agent agent;
    private final int probes;
    private final Client filler;
    private final Client prober;
    private final Path procNet = Path.of("/proc/self/net");

    FillAgent(Agent agent) {
        this.agent = agent;
        this.probes = agent.params().integer("probes");
        InetSocketAddress target = Target.parse(agent.params().get("target"));
        this.filler = new Client(target, false, -1, 5000); // a FIN close: the port stays in TIME_WAIT
        this.prober = new Client(target, false, 0, 5000); // an RST close: the occupancy stays where it is
    }

    void run() throws IOException {
        int ports = TcpModel.usablePorts(Map.of("net.ipv4.ip_local_port_range", Sysctl.of("net.ipv4.ip_local_port_range").read(),
                "net.ipv4.ip_local_reserved_ports", Sysctl.of("net.ipv4.ip_local_reserved_ports").read()));
        long start = System.currentTimeMillis();
        long filled = 0;
        int measured = 0;
        try (RawTable<LevelRow>.Log rows = LevelRow.TABLE.open(agent)) {
            for (int level : LEVELS) {
                long target = (long) Math.floor(ports * level / 100.0);
                while (filled < target && !agent.expired()) {
                    try (SocketChannel channel = filler.open()) {
                        filled++;
                    } catch (IOException e) {
                        break; // out of ports sooner than the arithmetic says: measure where we are
                    }
                }
                if (System.currentTimeMillis() - start > 55_000) {
                    agent.say("stopping at " + level + " %: the first TIME_WAIT sockets are about to expire");
                    break;
                }
                LevelRow row = probe(level, ports);
                rows.add(row);
                measured++;
                agent.say(String.format(Locale.ROOT, "%d %% of %d ports held: connect p50 %s µs", level, ports,
                        row.connectP50Us() == null ? "" : row.connectP50Us()));
            }
        }
        agent.done(measured + " levels measured");
    }

    /** Times the probes at the occupancy reached. */
    private LevelRow probe(int level, int ports) throws IOException {
        Histogram connect = new Histogram(60_000_000L, 3);
        long failed = 0;
        for (int i = 0; i < probes && !agent.expired(); i++) {
            long t0 = System.nanoTime();
            try (SocketChannel channel = prober.open()) {
                connect.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
            } catch (IOException e) {
                failed++;
            }
        }
        long tw = KernelCounters.timeWait(procNet);
        // one decimal, as the file has always had it
        double occupancy = Double.parseDouble(String.format(Locale.ROOT, "%.1f", 100.0 * tw / ports));
        boolean none = connect.getTotalCount() == 0;
        return new LevelRow(level, tw, occupancy, connect.getTotalCount(), failed, none ? null : connect.getValueAtPercentile(50),
                none ? null : connect.getValueAtPercentile(90), none ? null : connect.getValueAtPercentile(99),
                none ? null : connect.getMaxValue());
    }
}
