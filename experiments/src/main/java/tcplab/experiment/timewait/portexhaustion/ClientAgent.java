package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import tcplab.experiment.Agent;
import tcplab.experiment.RawTable;
import tcplab.kernel.KernelCounters;
import tcplab.socket.Client;
import tcplab.socket.CloseMode;
import tcplab.socket.FailureCause;
import tcplab.socket.Target;

/** The client inside its host: connect and close as fast as it can, one {@link SecondRow} a second and one {@link BinRow} a tenth of one. */
final class ClientAgent {
    private static final long SECOND = 1_000_000_000L;
    private static final long BIN = BinRow.MILLIS * 1_000_000L;

    private final Agent agent;
    private final Client client;
    private final Path procNet = Path.of("/proc/self/net");
    private final Histogram connect = new Histogram(60_000_000L, 3);
    private final long[] failures = new long[FailureCause.values().length];
    private long ok;
    private long binOk;
    private long binNoPort;
    private long totalOk;
    private long totalFailed;

    ClientAgent(Agent agent) {
        this.agent = agent;
        CloseMode mode = agent.params().choice("closeMode", CloseMode.class);
        this.client = new Client(Target.parse(agent.params().get("target")), false, mode.lingerSeconds(1), 0);
    }

    void run() throws IOException {
        try (RawTable<SecondRow>.Log rows = SecondRow.TABLE.open(agent); RawTable<BinRow>.Log bins = BinRow.TABLE.open(agent)) {
            long start = System.nanoTime();
            long end = start + agent.params().integer("seconds") * SECOND;
            long nextRow = start + SECOND;
            long nextBin = start + BIN;
            int second = 1;
            // the first connection from the port C1's ladder captures; every later one from a port the kernel picks
            int port = agent.params().asMap().containsKey(Ladders.PORT) ? agent.params().integer(Ladders.PORT) : 0;
            while (true) {
                long now = System.nanoTime();
                if (now - nextBin >= 0 || now - nextRow >= 0 || agent.expired()) {
                    bins.add(new BinRow((now - start) / 1_000_000, binOk, binNoPort, KernelCounters.timeWait(procNet)));
                    binOk = 0;
                    binNoPort = 0;
                    while (now - nextBin >= 0) {
                        nextBin += BIN; // a connect() that stalled past a bin's end leaves one long bin, not empty ones
                    }
                }
                if (now - nextRow >= 0 || agent.expired()) {
                    rows.add(row(second));
                    if (now - end >= 0 || agent.expired()) {
                        break;
                    }
                    second++;
                    nextRow += SECOND;
                }
                long t0 = System.nanoTime();
                int from = port;
                port = 0;
                try (SocketChannel channel = client.open(from)) {
                    connect.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                    ok++;
                    binOk++;
                } catch (IOException e) {
                    FailureCause cause = FailureCause.of(e);
                    failures[cause.ordinal()]++;
                    if (cause == FailureCause.ADDRESS_NOT_AVAILABLE) {
                        binNoPort++;
                    }
                }
            }
        }
        agent.done(totalOk + " connections, " + totalFailed + " failed");
    }

    /** The second just ended, said as progress; the counts start again from zero. */
    private SecondRow row(int second) throws IOException {
        long tw = KernelCounters.timeWait(procNet);
        long failed = 0;
        for (long f : failures) {
            failed += f;
        }
        SecondRow row = new SecondRow(second, ok, failures[FailureCause.ADDRESS_NOT_AVAILABLE.ordinal()],
                failures[FailureCause.REFUSED.ordinal()], failures[FailureCause.TIMED_OUT.ordinal()], failures[FailureCause.RESET.ordinal()],
                failures[FailureCause.OTHER.ordinal()], tw, percentile(50), percentile(90), percentile(99),
                connect.getTotalCount() == 0 ? null : connect.getMaxValue());
        agent.say(String.format(Locale.ROOT, "second %d: %d connections, %d failed (EADDRNOTAVAIL %d), TIME_WAIT %d",
                second, ok, failed, row.addrNotAvailable(), tw));
        totalOk += ok;
        totalFailed += failed;
        ok = 0;
        Arrays.fill(failures, 0);
        connect.reset();
        return row;
    }

    private Long percentile(double p) {
        return connect.getTotalCount() == 0 ? null : connect.getValueAtPercentile(p);
    }
}
