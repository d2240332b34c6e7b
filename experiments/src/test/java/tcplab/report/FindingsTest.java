package tcplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.testing.Cli;

/**
 * The explanations, checked on a synthetic run folder (only the text and arithmetic are under test
 * here; the lab tests produce real counters): each pattern is explained once, with the counters
 * that back it, and a pattern the counters do not explain is called unexplained.
 */
class FindingsTest {
    @TempDir
    Path dir;

    @Test
    void explainsOverflowsRetransmissionsExhaustionAndUnexplainedTails() throws Exception {
        RunFolder run = runFolder(row(1, "thrpt", "CLIENT_FIN"), row(2, "sample", "CLIENT_FIN"), row(3, "sample", "CLIENT_RST"),
                row(4, "sample", "SERVER_FIN"));
        StringBuilder sysctls = new StringBuilder("configuration,host,key,value\n");
        StringBuilder counters = new StringBuilder("configuration,host,counter,before,after,delta\n");
        for (int i = 1; i <= 4; i++) {
            sysctls.append(id(i)).append(",client,net.ipv4.ip_local_port_range,40000 40999\n");
            sysctls.append(id(i)).append(",client,net.ipv4.tcp_tw_reuse,0\n");
            sysctls.append(id(i)).append(",client,net.ipv4.tcp_timestamps,1\n");
        }
        counters.append(id(1)).append(",client,state.TIME_WAIT,0,1000,1000\n");
        counters.append(id(2)).append(",server,TcpExt.ListenOverflows,0,7,7\n").append(id(2)).append(",server,TcpExt.ListenDrops,0,7,7\n");
        counters.append(id(3)).append(",client,Tcp.RetransSegs,0,1,1\n");
        counters.append(id(4)).append(",client,Tcp.RetransSegs,0,0,0\n");
        Cli.write(dir, "sysctls.csv", sysctls.toString());
        Cli.write(dir, "kernel-counters.csv", counters.toString());
        json(1, "thrpt", "CLIENT_FIN", 16.5, 0, 0);
        json(2, "sample", "CLIENT_FIN", 0, 80, 1_050_000);
        json(3, "sample", "CLIENT_RST", 0, 30, 203_000);
        json(4, "sample", "SERVER_FIN", 0, 60, 9_000);
        Cli.write(dir, "raw/" + id(1) + ".outcomes.csv", "fork_pid,thread,mode,phase,iteration,ok,addrNotAvailable,refused,timedOut,reset,other\n"
                + "1,0,thrpt,warmup,1,1000,0,0,0,0,0\n1,0,thrpt,measurement,1,0,500000,0,0,0,0\n");

        List<String> findings = Findings.of(RunData.load(run));
        String all = String.join("\n", findings);
        assertTrue(all.contains("**CLIENT_FIN veth** (sample): the accept queue overflowed 7 times (TcpExt.ListenOverflows), dropping"
                + " 7 SYNs (ListenDrops)"), all);
        assertTrue(all.contains("1 s initial retransmission timeout") && all.contains("maximum of 1.05 s against a median of 80.0 µs"), all);
        assertTrue(all.contains("**CLIENT_RST veth** (sample): the maximum of 203 ms is a retransmission timeout: 1 segment retransmitted"
                + " (Tcp.RetransSegs)"), all);
        assertTrue(all.contains("**Latency tails with no TCP timeout behind them**: SERVER_FIN veth: max 9.00 ms = 150 × p50, 0 retransmitted"
                + " segments, 0 accept-queue overflows"), all);
        assertTrue(all.contains("**The client ran out of ports**") && all.contains("1000 of 1000 ports in TIME_WAIT at the end")
                && all.contains("1000/s in the first warmup iteration") && all.contains("500000 connect() calls failed with EADDRNOTAVAIL")
                && all.contains("1000 ports / 60 s = 16.7 new connections/s"), all);
        assertTrue(!all.contains("one parity first"), "with every port held the parity scan is not the explanation: " + all);
        assertEquals(1, findings.stream().filter(f -> f.contains("ran out of ports")).count(), "explained once");
        assertTrue(all.contains("500000 of 500000 attempts in the measurement failed (500000 addrNotAvailable)"), all);
    }

    /**
     * Statements that were wrong before: a range that filled without one failed connect() is not
     * "ran out of ports"; the tail of a configuration that filled its range is connect()'s scan, not
     * "no TCP event"; an accept-queue overflow does not explain a 12 ms maximum (a dropped SYN waits 1 s).
     */
    @Test
    void saysWhatHappenedWhenTheRangeFilledWithoutFailuresAndWhenAnOverflowCannotExplainATail() throws Exception {
        RunFolder run = runFolder(row(1, "thrpt", "CLIENT_FIN"), row(2, "sample", "CLIENT_FIN"), row(3, "sample", "CLIENT_RST"));
        StringBuilder sysctls = new StringBuilder("configuration,host,key,value\n");
        for (int i = 1; i <= 3; i++) {
            sysctls.append(id(i)).append(",client,net.ipv4.ip_local_port_range,40000 40999\n").append(id(i)).append(",client,net.ipv4.tcp_tw_reuse,0\n");
        }
        Cli.write(dir, "sysctls.csv", sysctls.toString());
        Cli.write(dir, "kernel-counters.csv", "configuration,host,counter,before,after,delta\n"
                + id(1) + ",client,state.TIME_WAIT,0,600,600\n" + id(2) + ",client,state.TIME_WAIT,0,600,600\n"
                + id(3) + ",server,TcpExt.ListenOverflows,0,1,1\n" + id(3) + ",server,TcpExt.ListenDrops,0,1,1\n");
        json(1, "thrpt", "CLIENT_FIN", 750, 0, 0, false);
        json(2, "sample", "CLIENT_FIN", 0, 50, 5_000, false);
        json(3, "sample", "CLIENT_RST", 0, 10, 12_300, false);
        Cli.write(dir, "raw/" + id(1) + ".outcomes.csv", "fork_pid,thread,mode,phase,iteration,ok,addrNotAvailable,refused,timedOut,reset,other\n"
                + "1,0,thrpt,warmup,1,20000,0,0,0,0,0\n1,0,thrpt,measurement,1,750,0,0,0,0,0\n");

        String all = String.join("\n", Findings.of(RunData.load(run)));
        assertTrue(all.contains("**The client's ports piled up in TIME_WAIT**, and no connect() failed"), all);
        assertTrue(!all.contains("ran out of ports"), "no connect() failed: " + all);
        assertTrue(all.contains("**CLIENT_FIN veth** (sample): the tail") && all.contains("is connect() scanning held ports"), all);
        assertTrue(!all.contains("1 s initial retransmission timeout"), "a 12 ms maximum is no 1 s SYN timeout: " + all);
        assertTrue(all.contains("CLIENT_RST veth: max 12.3 ms") && all.contains("0 retransmitted segments, 1 accept-queue overflow"), all);
    }

    /** A synthetic run folder with these configurations.csv rows; each test adds its sysctls, counters and JMH files. */
    private RunFolder runFolder(String... configurations) throws Exception {
        Files.createDirectories(dir.resolve("raw"));
        Cli.write(dir, "metadata.json", "{\"profile\": {\"name\": \"test\"}, \"plan\": {\"name\": \"t\", \"configurations\": "
                + configurations.length + "}, \"status\": \"complete\"}");
        Cli.write(dir, "configurations.csv", String.join(",", RunFolder.CONFIGURATION_COLUMNS) + "\n" + String.join("", configurations));
        return new RunFolder(dir);
    }

    private static String id(int i) {
        return String.format(Locale.ROOT, "%02d-ConnectCloseBenchmark", i);
    }

    /** A configurations.csv row in RunFolder.CONFIGURATION_COLUMNS order. */
    private static String row(int i, String mode, String closeMode) {
        return i + "," + id(i) + ",benchmark,ConnectCloseBenchmark," + mode + ",veth,1,1,path=veth;threads=1;closeMode=" + closeMode
                + ";reuseAddr=false;exchange=NONE,,ok,2026-01-01T00:00:00Z,1.0,\n";
    }

    private void json(int i, String mode, String closeMode, double ok, double p50, double max) throws Exception {
        json(i, mode, closeMode, ok, p50, max, true);
    }

    private void json(int i, String mode, String closeMode, double ok, double p50, double max, boolean failures) throws Exception {
        String secondary = mode.equals("thrpt")
                ? "{\"ok\": {\"score\": " + ok + ", \"scoreError\": 0.5, \"scoreUnit\": \"ops/s\"}" + (failures
                        ? ", \"addrNotAvailable\": {\"score\": 500000, \"scoreError\": 1, \"scoreUnit\": \"ops/s\"}" : "") + "}"
                : "{}";
        String percentiles = mode.equals("sample") ? "{\"50.0\": " + p50 + ", \"90.0\": " + p50 + ", \"99.0\": " + p50 + ", \"99.9\": " + p50 + ", \"100.0\": " + max + "}" : "{}";
        Cli.write(dir, "raw/" + id(i) + ".jmh.json", "[{\"benchmark\": \"tcplab.benchmarks.ConnectCloseBenchmark.connectClose\", \"mode\": \"" + mode
                + "\", \"threads\": 1, \"forks\": 1, \"warmupTime\": \"1 s\", \"measurementTime\": \"1 s\", \"jvmArgs\": [],"
                + " \"params\": {\"closeMode\": \"" + closeMode + "\"}, \"primaryMetric\": {\"score\": " + (ok + (failures ? 500000 : 0)) + ", \"scoreError\": 1,"
                + " \"scorePercentiles\": " + percentiles + ", \"scoreUnit\": \"" + (mode.equals("thrpt") ? "ops/s" : "us/op") + "\"},"
                + " \"secondaryMetrics\": " + secondary + "}]");
    }
}
