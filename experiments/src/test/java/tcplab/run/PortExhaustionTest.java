package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * With 8 ephemeral ports and no TIME_WAIT reuse, CLIENT_FIN completes at most 8 connections and
 * every later connect() fails with EADDRNOTAVAIL. The run must go on, count each failure by cause in
 * both JMH modes, and say so in the report; CLIENT_RST, which leaves no TIME_WAIT, must not fail.
 */
class PortExhaustionTest {
    @TempDir
    Path dir;

    @Test
    void failuresAreCountedByCauseNeverCrashingOrHidingInTheScore() throws Exception {
        Path profile = Fixtures.profile(dir, "eight-ports", "net.ipv4.ip_local_port_range = 40000 40007", "net.ipv4.tcp_tw_reuse = 0");
        Path plan = Fixtures.plan(dir, "exhaust", "{\"forks\": 1, \"warmupIterations\": 0, \"iterations\": 1, \"time\": \"1s\"}",
                Fixtures.closeMode("CLIENT_FIN", "\"thrpt\", \"sample\"", "\"veth\""),
                Fixtures.closeMode("CLIENT_RST", "\"thrpt\"", "\"veth\""));
        Cli.Result r = Cli.run("run", "--profile", profile.toString(), "--plan", plan.toString(), "--reports", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        Path run = Fixtures.runFolder(r);

        // Throughput: JMH's own counters, rates per second
        JsonNode thrpt = Fixtures.json(run.resolve("raw/01-ConnectCloseBenchmark-thrpt-veth-t1-closeMode=CLIENT_FIN-reuseAddr=false-exchange=NONE-r1.jmh.json")).get(0);
        double ok = thrpt.path("secondaryMetrics").path("ok").path("score").asDouble();
        double noPort = thrpt.path("secondaryMetrics").path("addrNotAvailable").path("score").asDouble();
        assertTrue(ok >= 6 && ok <= 8.5, "about 8 complete cycles in the 1 s iteration: " + ok);
        assertTrue(noPort > 1000, "then connect() fails fast with EADDRNOTAVAIL: " + noPort + "/s");
        assertEquals(ok + noPort, thrpt.path("primaryMetric").path("score").asDouble(), 0.01 * (ok + noPort), "the score counts attempts");
        for (String cause : new String[] {"refused", "timedOut", "reset", "other"}) {
            assertEquals(0, thrpt.path("secondaryMetrics").path(cause).path("score").asDouble(), cause);
        }
        long measuredOk = Fixtures.measured(run, "01-", "ok");
        assertTrue(measuredOk >= 6 && measuredOk <= 8, "outcomes.csv: " + measuredOk);
        assertEquals(measuredOk, Fixtures.counter(run, "01-", "client", "state.TIME_WAIT", "after"), 1, "each holds a port in TIME_WAIT");

        // SampleTime: JMH reports no counters there, so the outcome file and a warning carry them
        long sampledNoPort = Fixtures.measured(run, "02-", "addrNotAvailable");
        assertTrue(sampledNoPort > 1000, "outcomes.csv counts the failed samples: " + sampledNoPort);
        assertTrue(Files.readString(run.resolve("raw/02-ConnectCloseBenchmark-sample-veth-t1-closeMode=CLIENT_FIN-reuseAddr=false-exchange=NONE-r1.jmh.log"))
                .contains("failed and are in its latency samples"));

        // RST leaves no TIME_WAIT, so the same 8 ports never run out
        assertEquals(0, Fixtures.measured(run, "03-", "addrNotAvailable"));
        assertTrue(Fixtures.measured(run, "03-", "ok") > 1000);

        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("connect() calls failed with EADDRNOTAVAIL"), "the report says what failed and why");
        assertTrue(report.contains("JMH cannot report them in SampleTime mode"), "and that latency samples include failures");
    }
}
