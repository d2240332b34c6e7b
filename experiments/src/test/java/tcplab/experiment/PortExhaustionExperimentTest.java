package tcplab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * C3 and C4 against the real kernel, with a 100-port range so each configuration takes seconds:
 * no reuse gives exactly 100 connections per 60 s; tcp_tw_reuse 1 with timestamps sustains about
 * 100/s (100 ports / 1 s reuse delay); reuse without timestamps is no reuse; RST never runs out.
 */
class PortExhaustionExperimentTest {
    private static final int PORTS = 100;

    @TempDir
    static Path dir;

    static Path run;
    static Map<String, Map<String, String>> claims = new java.util.HashMap<>();

    @BeforeAll
    static void runOnce() throws Exception {
        Path plan = Cli.write(dir, "exhaustion.json", """
                {"experiments": [
                  {"experiment": "port-exhaustion", "paths": ["veth"], "params": {"closeMode": ["CLIENT_FIN"], "seconds": ["3"]},
                   "sysctls": {"net.ipv4.ip_local_port_range": ["40000 40099"], "net.ipv4.tcp_tw_reuse": ["0", "1"], "net.ipv4.tcp_timestamps": ["1", "0"],
                               "net.ipv4.tcp_rfc1337": ["1"]}},
                  {"experiment": "port-exhaustion", "paths": ["veth"], "params": {"closeMode": ["CLIENT_FIN"], "seconds": ["3"]},
                   "sysctls": {"net.ipv4.ip_local_port_range": ["40000 40099"], "net.ipv4.tcp_tw_reuse": ["0"], "net.ipv4.tcp_rfc1337": ["0"]}},
                  {"experiment": "port-exhaustion", "paths": ["veth"], "params": {"closeMode": ["CLIENT_RST"], "seconds": ["2"]},
                   "sysctls": {"net.ipv4.ip_local_port_range": ["40000 40099"]}}
                ]}""");
        Cli.Result r = Cli.run("run", "--profile", "baseline", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
        assertEquals(0, r.exit(), r.toString());
        run = Fixtures.runFolder(r);
        for (Map<String, String> c : Fixtures.csv(run.resolve("claims.csv"))) {
            claims.put(c.get("conditions"), c);
        }
    }

    /** The claim of a CLIENT_FIN configuration with RFC 1337 protection on (resets cannot end TIME_WAIT early). */
    private static Map<String, String> claim(String reuse, String timestamps) {
        return claims.entrySet().stream().filter(e -> e.getKey().contains("closeMode=CLIENT_FIN")
                        && e.getKey().contains("net.ipv4.tcp_tw_reuse=" + reuse + ";") && e.getKey().contains("net.ipv4.tcp_timestamps=" + timestamps)
                        && e.getKey().contains("net.ipv4.tcp_rfc1337=1"))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no claim for reuse " + reuse + " ts " + timestamps + ": " + claims.keySet()));
    }

    private static List<Map<String, String>> seconds(String idPart) throws Exception {
        try (var files = Files.list(run.resolve("raw"))) {
            Path f = files.filter(p -> p.getFileName().toString().contains(idPart) && p.toString().endsWith(".seconds.csv")).findFirst().orElseThrow();
            return Fixtures.csv(f);
        }
    }

    @Test
    void withoutReuseTheRangeAllowsExactlyOneConnectionPerPortPerMinute() throws Exception {
        Map<String, String> c = claim("0", "1");
        assertEquals("C3", c.get("claim"));
        assertEquals("most new connections in any 60 s window", c.get("metric"));
        assertEquals(Integer.toString(PORTS), Fixtures.model(c));
        assertEquals(Integer.toString(PORTS), Fixtures.measured(c), "every port used once, then none: " + c);
        // a 3 s run sees the ports run out but no TIME_WAIT expire: it fits the ceiling, short of the 60 s that sustains it
        assertEquals("consistent", c.get("verdict"), c.toString());
        assertTrue(c.get("horizon").contains("no TIME_WAIT socket expired"), c.toString());
        List<Map<String, String>> rows = seconds("tcp_tw_reuse=0-tcp_timestamps=1");
        assertEquals(PORTS, Long.parseLong(rows.get(rows.size() - 1).get("time_wait")), "every port is held by TIME_WAIT at the end");
        assertTrue(rows.stream().mapToLong(r -> Long.parseLong(r.get("addrNotAvailable"))).sum() > 100, "then connect() fails: " + rows);
    }

    @Test
    void theTenthSecondBinsAddUpToTheSecondsAndShowTheReuseRefill() throws Exception {
        List<Map<String, String>> bins;
        try (var files = Files.list(run.resolve("raw"))) {
            Path f = files.filter(p -> p.getFileName().toString().contains("tcp_tw_reuse=1-tcp_timestamps=1") && p.toString().endsWith(".bins.csv"))
                    .findFirst().orElseThrow();
            bins = Fixtures.csv(f);
        }
        long inBins = bins.stream().mapToLong(b -> Long.parseLong(b.get("ok"))).sum();
        long inSeconds = seconds("tcp_tw_reuse=1-tcp_timestamps=1").stream().mapToLong(r -> Long.parseLong(r.get("ok"))).sum();
        assertEquals(inSeconds, inBins, "the same connects, counted twice");
        assertTrue(bins.size() >= 25, "about ten bins a second over 3 s: " + bins.size());
        // the range fills at once, then waits for the 1 s reuse delay: a bin after 1 s opens more
        assertTrue(bins.stream().anyMatch(b -> Long.parseLong(b.get("end_ms")) > 1000 && Long.parseLong(b.get("ok")) > 0), bins.toString());
    }

    @Test
    void withoutRfc1337AResetMayEndTimeWaitEarlyAndFreeAPort() throws Exception {
        Map<String, String> c = claims.entrySet().stream().filter(e -> e.getKey().contains("net.ipv4.tcp_rfc1337=0"))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        long measured = Long.parseLong(Fixtures.measured(c));
        long resets = Fixtures.counter(run, idOf("tcp_rfc1337=0"), "server", "Tcp.OutRsts", "delta");
        assertTrue(measured >= PORTS && measured <= PORTS + resets, "one more connection per reset at most: " + measured + " with "
                + resets + " resets; " + c);
        assertEquals("consistent", c.get("verdict"), c.toString());
    }

    /** The configuration id whose name contains {@code part}. */
    private static String idOf(String part) throws Exception {
        return Fixtures.csv(run.resolve("configurations.csv")).stream().map(r -> r.get("id")).filter(id -> id.contains(part)).findFirst()
                .orElseThrow();
    }

    @Test
    void reuseWithTimestampsSustainsPortsPerReuseDelay() throws Exception {
        Map<String, String> c = claim("1", "1");
        assertEquals("C4", c.get("claim"));
        assertEquals("sustained new connections per second", c.get("metric"));
        assertEquals("100", Fixtures.model(c), "100 ports / 1 s tcp_tw_reuse_delay");
        double measured = Double.parseDouble(Fixtures.measured(c));
        assertTrue(measured >= 85 && measured <= 115, "held near 100/s: " + c);
        assertEquals("consistent", c.get("verdict"), "a 3 s burst is no sustained rate: " + c);
    }

    @Test
    void reuseWithoutTimestampsIsNoReuse() {
        Map<String, String> c = claim("1", "0");
        assertEquals("C4", c.get("claim"));
        assertEquals(Integer.toString(PORTS), Fixtures.measured(c), c.toString());
        assertTrue(c.get("explanation").contains("without timestamps"), c.toString());
        assertEquals("consistent", c.get("verdict"));
    }

    @Test
    void anRstCloseNeverRunsOut() throws Exception {
        Map<String, String> c = claims.entrySet().stream().filter(e -> e.getKey().contains("CLIENT_RST")).map(Map.Entry::getValue).findFirst().orElseThrow();
        assertEquals("0", Fixtures.measured(c), c.toString());
        assertEquals("agrees", c.get("verdict"));
        long ok = seconds("closeMode=CLIENT_RST").stream().mapToLong(r -> Long.parseLong(r.get("ok"))).sum();
        assertTrue(ok > 10 * PORTS, "many more connections than ports: " + ok);
    }

    @Test
    void theReportShowsTheExperimentWithItsChartsClaimsAndReproduceCommand() throws Exception {
        String md = Files.readString(run.resolve("report.md"));
        assertFalse(md.contains("## Claims: model beside measurement"), "every row is in claims.csv and the sections, not on the first screen");
        // the glance: one row per claim, its id an anchor and a link to the section that tests it, claims this plan left out said so
        assertTrue(md.indexOf("## Claims at a glance") < md.indexOf("## Environment"), "the report opens with the claims");
        assertTrue(md.matches("(?s).*\\| <a id=\"c3\"></a>\\[C3\\]\\(#port-exhaustion\\) \\| ports / 60 s ceiling \\| \\d+ agrees, \\d+ consistent \\|.*"), md);
        assertTrue(md.contains("<a id=\"port-exhaustion\"></a>"), "the link's target");
        assertTrue(md.matches("(?s).*\\| <a id=\"c13\"></a>C13 \\| [^\n]*\\| not in this plan \\|.*"), md);
        assertTrue(md.contains("## Port exhaustion") && md.contains("charts/port-exhaustion-rate-CLIENT_FIN.png")
                && md.contains("charts/port-exhaustion-time-wait.png"), md);
        assertTrue(md.contains("PLAN=reports/baseline/" + run.getFileName() + "/reproduce/port-exhaustion.json"), md);
        assertTrue(Files.exists(run.resolve("reproduce/port-exhaustion.json")));
        assertTrue(Files.size(run.resolve("charts/port-exhaustion-rate-CLIENT_FIN.png")) > 1000);
        // the sweep is recorded as overrides of the profile
        Map<String, String> first = Fixtures.csv(run.resolve("configurations.csv")).get(0);
        assertEquals("experiment", first.get("type"));
        assertTrue(first.get("sysctls").contains("net.ipv4.ip_local_port_range=40000 40099"), first.toString());
    }

    @Test
    void claimsCsvIsDataAScriptCanRead() throws Exception {
        Fixtures.assertClaimsColumns(run);
    }
}
