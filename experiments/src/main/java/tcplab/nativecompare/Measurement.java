package tcplab.nativecompare;

import java.util.Locale;
import java.util.Map;
import tcplab.socket.CloseMode;

/**
 * One row of native-comparison.csv: one contender of one comparison in one round, in fresh
 * namespaces. A CPU column is empty (NaN) where it was not measured (rows of runs made before
 * ConnectCloseBenchmark counted its JVM's CPU in outcomes.csv). The kernel's counters cover
 * the client's whole run, warmup included: the client's SYNs sent again (TcpExt.TCPSynRetrans, each
 * a connect() stalled for an RTO) and the server's dropped SYNs (TcpExt.ListenDrops).
 */
public record Measurement(int round, Comparison comparison, Comparison.Contender contender, double okPerSecond, long failed,
                          int seconds, double clientCpuMicrosPerCycle, double serverCpuMicrosPerCycle, long synRetransmits,
                          long listenDrops) {

    public static final String[] COLUMNS = {"round", "side", "close_mode", "threads", "contender", "ok_per_s", "failed", "seconds",
        "client_cpu_us_per_cycle", "server_cpu_us_per_cycle", "syn_retransmits", "listen_drops"};

    /** The same measurement with the kernel's counts of stalled SYNs, read around it. */
    public Measurement withStalls(long synRetransmits, long listenDrops) {
        return new Measurement(round, comparison, contender, okPerSecond, failed, seconds, clientCpuMicrosPerCycle, serverCpuMicrosPerCycle,
                synRetransmits, listenDrops);
    }

    public Object[] row() {
        return new Object[] {round, comparison.side().word, comparison.closeMode(), comparison.threads(), contender.word(),
            String.format(Locale.ROOT, "%.1f", okPerSecond), failed, seconds, cpu(clientCpuMicrosPerCycle), cpu(serverCpuMicrosPerCycle),
            synRetransmits, listenDrops};
    }

    /** A row as {@link tcplab.results.RunFolder#read} gives it, for drawing from the raw file alone. */
    public static Measurement of(Map<String, String> row) {
        Comparison c = new Comparison(Comparison.Side.valueOf(row.get("side").toUpperCase(Locale.ROOT)), CloseMode.valueOf(row.get("close_mode")),
                Integer.parseInt(row.get("threads")));
        return new Measurement(Integer.parseInt(row.get("round")), c, Comparison.Contender.valueOf(row.get("contender").toUpperCase(Locale.ROOT)),
                Double.parseDouble(row.get("ok_per_s")), Long.parseLong(row.get("failed")), Integer.parseInt(row.get("seconds")),
                number(row.get("client_cpu_us_per_cycle")), number(row.get("server_cpu_us_per_cycle")),
                Long.parseLong(row.get("syn_retransmits")), Long.parseLong(row.get("listen_drops")));
    }

    private static String cpu(double micros) {
        return Double.isNaN(micros) ? "" : String.format(Locale.ROOT, "%.2f", micros);
    }

    private static double number(String s) {
        return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s);
    }
}
