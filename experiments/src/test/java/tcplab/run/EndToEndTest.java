package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;
import tcplab.testing.HostState;

/**
 * A small run from the command line, as a user starts it: it must produce the raw files, the
 * metadata, the charts and the report, leave this machine's settings alone, and redraw to the
 * same files from the raw ones.
 */
class EndToEndTest {
    @TempDir
    static Path dir;

    static Cli.Result result;
    static Path run;
    static HostState.Snapshot hostBefore;

    @BeforeAll
    static void runOnce() throws Exception {
        hostBefore = HostState.Snapshot.take();
        Path plan = Fixtures.plan(dir, "tiny", "{\"forks\": 1, \"warmupIterations\": 1, \"warmupTime\": \"300ms\", \"iterations\": 2, \"time\": \"300ms\"}",
                Fixtures.entry("ConnectCloseBenchmark", "\"thrpt\", \"sample\"", "\"veth\"",
                        "\"closeMode\": [\"CLIENT_FIN\", \"SERVER_FIN\", \"CLIENT_RST\"], \"reuseAddr\": [\"false\"], \"exchange\": [\"NONE\"]"),
                Fixtures.closeMode("CLIENT_FIN", "\"thrpt\"", "\"loopback\""),
                Fixtures.entry("ConnectionReuseBenchmark", "\"thrpt\"", "\"veth\"", "\"style\": [\"NEW_CONNECTION\", \"KEEP_ALIVE\"]"));
        result = Cli.run("run", "--profile", "baseline", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
        run = Fixtures.runFolder(result);
    }

    @Test
    void endsWithTheRunFolderAndPointsLatestAtIt() throws Exception {
        assertEquals(0, result.exit(), result.toString());
        assertTrue(result.lastLine().matches(".*/reports/baseline/\\d{8}T\\d{6}Z/"), result.lastLine());
        assertEquals(run.toRealPath(), run.resolveSibling("latest").toRealPath());
        assertTrue(result.out().contains("[1/9] ConnectCloseBenchmark thrpt path=veth") && result.out().contains("iteration 1:"),
                "progress names what runs and echoes iterations: " + result.out());
        assertTrue(result.out().matches("(?s).*about \\d+:\\d\\d; \\d+ % done, about \\d+:\\d\\d left.*"), "share done and time left");
    }

    @Test
    void writesRawFilesAndMetadata() throws Exception {
        List<Map<String, String>> configurations = Fixtures.csv(run.resolve("configurations.csv"));
        assertEquals(9, configurations.size());
        configurations.forEach(c -> assertEquals("ok", c.get("status"), c.toString()));
        for (Map<String, String> c : configurations) {
            for (String suffix : List.of(".jmh.json", ".jmh.csv", ".jmh.log", ".outcomes.csv", ".server.csv", ".server.log")) {
                Path f = run.resolve("raw").resolve(c.get("id") + suffix);
                assertTrue(Files.size(f) > 0, f.toString());
            }
            assertTrue(Files.readString(run.resolve("raw").resolve(c.get("id") + ".jmh.csv")).contains("\"Param: profile\""),
                    "the profile is a column of JMH's results");
        }
        Fixtures.assertEveryCsvParses(run);
        JsonNode m = Fixtures.json(run.resolve("metadata.json"));
        assertEquals("complete", m.path("status").asText());
        assertTrue(m.path("hostSysctlsUnchanged").asBoolean(), "metadata proves the host was not touched");
        for (String field : List.of("kernelRelease", "kernelVersion", "distribution", "cpuModel", "cpus")) {
            assertTrue(!m.path("machine").path(field).asText().isEmpty(), field);
        }
        assertEquals("baseline", m.path("profile").path("name").asText());
        assertEquals(64, m.path("profile").path("sha256").asText().length());
        assertTrue(m.path("tcplab").has("commit") && m.path("jdk").has("version") && m.path("lab").has("privileges"));
        assertTrue(m.path("command").asText().startsWith("tcplab run --profile baseline"));
        assertEquals("2", m.path("sysctlsInLab").path("client").path("net.ipv4.tcp_tw_reuse").asText(), "read back, in the metadata too");
        assertEquals("4096", m.path("sysctlsInLab").path("server").path("net.core.somaxconn").asText());
        Map<String, String> readBack = new HashMap<>();
        for (Map<String, String> r : Fixtures.csv(run.resolve("sysctls.csv"))) {
            readBack.put(r.get("host") + " " + r.get("key"), r.get("value"));
        }
        assertEquals("2", readBack.get("client net.ipv4.tcp_tw_reuse"));
        assertEquals("32768 60999", readBack.get("server net.ipv4.ip_local_port_range"));
        hostBefore.assertNothingAdded("an end-to-end run");
    }

    @Test
    void kernelCountersMatchWhatTheBenchmarkDid() throws Exception {
        // CLIENT_RST over veth: every cycle reaches the server and ends in a reset, nothing in TIME_WAIT
        String rst = "03-ConnectCloseBenchmark-thrpt-veth";
        long opens = Fixtures.counter(run, rst, "client", "Tcp.ActiveOpens", "delta");
        long passive = Fixtures.counter(run, rst, "server", "Tcp.PassiveOpens", "delta");
        assertTrue(opens > 1000, "ActiveOpens " + opens);
        assertEquals(opens, passive, 2.0, "each client open is a server open (JMH's own loopback link aside)");
        assertTrue(Fixtures.counter(run, rst, "client", "Tcp.OutRsts", "delta") >= opens - 2);
        assertTrue(Fixtures.counter(run, rst, "client", "state.TIME_WAIT", "after") <= 1,
                "no TIME_WAIT but, at most, JMH's own loopback link between its runner and the forked JVM");
        // SERVER_FIN: TIME_WAIT on the server, none on the client
        String serverFin = "02-ConnectCloseBenchmark-thrpt-veth";
        assertTrue(Fixtures.counter(run, serverFin, "server", "state.TIME_WAIT", "after") > 100);
        assertTrue(Fixtures.counter(run, serverFin, "client", "state.TIME_WAIT", "after") <= 1);
    }

    @Test
    void drawsChartsAndASelfContainedReport() throws Exception {
        for (String chart : List.of("throughput", "iterations", "latency", "connection-reuse")) {
            byte[] png = Files.readAllBytes(run.resolve("charts/" + chart + ".png"));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4), chart);
            assertTrue(Files.readString(run.resolve("charts/" + chart + ".svg")).contains("<svg"), chart);
        }
        String md = Files.readString(run.resolve("report.md"));
        for (String section : List.of("## Environment", "## Settings in effect", "## Connect/close throughput", "## Connect/close latency",
                "## Connection reuse", "## What the benchmarks say", "## Kernel counters", "## Reproduce", "(charts/throughput.png)",
                "SERVER_FIN veth", "CLIENT_FIN loopback", "471 new connections/s")) {
            assertTrue(md.contains(section), section);
        }
        assertTrue(md.matches("(?s).*\\| <a id=\"c1\"></a>\\[C1\\]\\(#benchmarks\\) \\| connect/close costs[^\n]*\\| [\\d.k]+ to [\\d.k]+ cycles/s \\|.*"),
                "C1 at a glance, with the fastest and slowest configuration and a link: " + md);
        assertTrue(md.contains("<a id=\"benchmarks\"></a>"));
        assertTrue(md.matches("(?s).*\\| started / finished \\| [^\n]*Z, took (\\d+ min )?\\d+ s \\(estimated (\\d+ min )?\\d+ s\\) \\|.*"),
                "the run's duration beside its estimate");
        assertTrue(md.contains("**No TIME_WAIT with SO_LINGER 0**") && md.contains("**TIME_WAIT moves to the server**"), "findings with counters");
        String html = Files.readString(run.resolve("report.html"));
        Matcher images = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        int count = 0;
        while (images.find()) {
            assertTrue(images.group(1).startsWith("data:image/png;base64,"), "embedded, opens from disk: " + images.group(1).substring(0, 30));
            count++;
        }
        assertTrue(count >= 4, "charts embedded: " + count);
        assertTrue(!html.contains("http://") && !html.contains("https://"), "no network needed");
    }

    @Test
    void redrawingFromTheRawFilesGivesTheSameFiles() throws Exception {
        Map<String, byte[]> derived = new HashMap<>();
        try (Stream<Path> files = Files.walk(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = run.relativize(f).toString();
                if (name.startsWith("charts/") || name.equals("results.csv") || name.startsWith("report.")) {
                    derived.put(name, Files.readAllBytes(f));
                    Files.delete(f);
                }
            }
        }
        assertTrue(derived.size() >= 10, derived.keySet().toString());
        Cli.Result redraw = Cli.run("report", run.toString());
        assertEquals(0, redraw.exit(), redraw.toString());
        for (Map.Entry<String, byte[]> e : derived.entrySet()) {
            if (e.getKey().endsWith(".png")) {
                assertTrue(Files.size(run.resolve(e.getKey())) > 1000, e.getKey()); // same chart; PNG encoding may vary in bytes
            } else {
                assertEquals(new String(e.getValue()), Files.readString(run.resolve(e.getKey())), e.getKey() + " is redrawn identically");
            }
        }
    }
}
