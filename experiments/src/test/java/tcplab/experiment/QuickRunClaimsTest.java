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
import tcplab.report.ReportWriter;
import tcplab.results.RunFolder;
import tcplab.testing.Fixtures;

/**
 * Every experiment's claims, from the raw files of a recorded quick-plan run
 * (src/test/resources/fixtures/quick-baseline: profile baseline, Linux 6.18, 2026-12-01; the
 * experiments' raw rows and the counters they read; CONFIG_HZ = 250 as /proc/config.gz said, added
 * to the metadata, which that run predates). No kernel: a change to a claim is tested in seconds.
 * What is asserted is the claims' reasoning on known data: which rows stopped short of their
 * horizon, which name scaled sysctls, and that a band holds what it passed.
 */
class QuickRunClaimsTest {
    @TempDir
    static Path dir;
    static List<Map<String, String>> claims;
    static String report;

    @BeforeAll
    static void redraw() throws Exception {
        Path run = Fixtures.copyTree(Path.of("src/test/resources/fixtures/quick-baseline"), dir.resolve("run"));
        ReportWriter.write(new RunFolder(run));
        claims = Fixtures.csv(run.resolve("claims.csv"));
        report = Files.readString(run.resolve("report.md"));
        Fixtures.assertClaimsColumns(run);
    }

    private static List<Map<String, String>> rows(String experiment, String metricId) {
        List<Map<String, String>> found = claims.stream().filter(c -> c.get("experiment").equals(experiment)
                && c.get("metric_id").equals(metricId)).toList();
        assertFalse(found.isEmpty(), experiment + " " + metricId + " in " + claims.stream().map(c -> c.get("metric_id")).distinct().toList());
        return found;
    }

    @Test
    void everyExperimentOfTheQuickPlanHasClaims() {
        for (String experiment : List.of("port-exhaustion", "time-wait-lifetime", "time-wait-scale", "simultaneous-close", "restart-rebind",
                "listen-port-collision", "admin-port", "close-wait-leak", "connect-timeout", "accept-overflow", "dead-peer", "stuck-write")) {
            assertTrue(claims.stream().anyMatch(c -> c.get("experiment").equals(experiment)), experiment);
        }
        assertEquals(List.of(), claims.stream().filter(c -> c.get("verdict").equals("differs")).toList(), "this run fits every model");
    }

    @Test
    void aTwoSecondExhaustionRunIsConsistentWithTheCeilingButNoSustainedRate() {
        rows("port-exhaustion", "max_connections_per_60s_window").forEach(c -> {
            assertEquals("consistent", c.get("verdict"), c.toString());
            assertEquals("net.ipv4.ip_local_port_range=40000 40999 (default 32768 60999)", c.get("scaled"), c.toString());
        });
        rows("port-exhaustion", "sustained_connections_per_s").forEach(c -> assertTrue(c.get("horizon").contains("burst"), c.toString()));
        rows("port-exhaustion", "eaddrnotavail_failures").forEach(c -> assertEquals("agrees", c.get("verdict"), "an RST close reused every"
                + " port many times over in 2 s: " + c));
    }

    @Test
    void everyMeasuredRowOnAScaledPortRangeNamesIt() {
        for (String experiment : List.of("port-exhaustion", "time-wait-scale")) {
            claims.stream().filter(c -> c.get("experiment").equals(experiment) && !c.get("verdict").equals("skipped")).forEach(c -> {
                assertTrue(c.get("scaled").startsWith("net.ipv4.ip_local_port_range=40000 4"), c.toString());
                assertFalse(c.get("model_at_defaults").isEmpty(), c.toString());
            });
        }
    }

    @Test
    void aTimeWaitReadFromItsTimerIsConsistentAndAWatchedFinWait2Agrees() {
        rows("time-wait-lifetime", "time_wait_lifetime_s").forEach(c -> {
            assertEquals("consistent", c.get("verdict"), c.toString());
            assertTrue(c.get("horizon").contains("3 s watch"), c.toString());
        });
        Map<String, String> fw = rows("time-wait-lifetime", "fin_wait2_lifetime_s").stream()
                .filter(c -> c.get("conditions").contains("tcp_fin_timeout=2")).findFirst().orElseThrow();
        assertEquals("agrees", fw.get("verdict"), fw.toString());
        assertEquals("60 s", fw.get("model_at_defaults"));
        // the 2 s timer lands on the 32 ms level of the timer wheel at HZ 250: the band is 2 s to 2.18 s with the 150 ms poll
        assertEquals(2.182, Double.parseDouble(fw.get("high")), 0.001, fw.toString());
    }

    @Test
    void aOneSecondRetryOfASixtySecondTimeWaitIsOnlyConsistent() {
        for (Map<String, String> c : rows("restart-rebind", "bind_keeps_failing")) {
            boolean timeWait = c.get("conditions").contains("leftover=TIME_WAIT");
            assertEquals(timeWait ? "consistent" : "agrees", c.get("verdict"), c.toString());
            assertEquals("", c.get("unit"), "a text outcome has no unit");
        }
        rows("restart-rebind", "first_bind").forEach(c -> assertEquals("agrees", c.get("verdict"), c.toString()));
    }

    @Test
    void neverInAFourSecondWindowIsConsistentAndScaledKeepaliveNamesItsDefaults() {
        for (Map<String, String> c : rows("dead-peer", "noticed_after_fault_s")) {
            if (Fixtures.model(c).equals("never") && c.get("conditions").contains("mechanism=NONE")) {
                assertEquals("consistent", c.get("verdict"), c.toString());
                assertFalse(c.get("conditions").contains("heartbeat") || c.get("conditions").contains("keepalive"), c.toString());
            }
            if (c.get("conditions").contains("mechanism=KEEPALIVE_DEFAULT") && !Fixtures.model(c).equals("never")
                    && !c.get("conditions").contains("fault=KILL")) { // a kill is seen at once whatever keepalive says
                assertTrue(c.get("scaled").contains("net.ipv4.tcp_keepalive_time=2 (default 7200)"), c.toString());
                assertEquals("7200 + 9 × 75 = 7875 s", c.get("model_at_defaults"), c.toString());
            }
        }
    }

    @Test
    void timeoutRowsModelTheKernelTheyRanOn() {
        for (Map<String, String> c : rows("connect-timeout", "connect_fails_after_s")) {
            if (c.get("conditions").contains("connectTimeout=0")) {
                boolean linear = c.get("conditions").contains("tcp_syn_linear_timeouts=4");
                assertEquals("131 s", c.get("model_at_defaults"), "the defaults are 6 retries with 4 linear timeouts: " + c);
                assertTrue(linear || c.get("scaled").contains("net.ipv4.tcp_syn_linear_timeouts=0 (default 4)"), c.toString());
            }
        }
        Map<String, String> plain = rows("stuck-write", "write_fails_after_s").stream()
                .filter(c -> c.get("conditions").contains("variant=PLAIN")).findFirst().orElseThrow();
        assertTrue(plain.get("explanation").contains("the RTO measured"), plain.toString());
        assertEquals("consistent", plain.get("verdict"), "tcp_retries2 = 1, scaled down from 15: " + plain);
        assertTrue(plain.get("model_at_defaults").startsWith("about "), plain.toString());
        rows("accept-overflow", "resets_on_completed_handshake").forEach(c -> assertEquals("consistent", c.get("verdict"),
                "no reset seen, so the reset rule was not tested: " + c));
    }

    @Test
    void twentyTrialsFitTheParityRuleButCannotTellItFromNoRule() {
        Map<String, String> c = rows("listen-port-collision", "bind_failed_share_first_parity").stream()
                .filter(r -> r.get("conditions").contains("occupancy=25")).findFirst().orElseThrow();
        assertTrue(Double.parseDouble(c.get("measured")) < Double.parseDouble(c.get("model")) - 0.1, "far from the model: " + c);
        assertTrue(c.get("band").contains("binomial") && Double.parseDouble(c.get("low")) >= 0, c.toString());
        // the band 0.14 to 0.86 also holds 0.25, a parity-blind allocator's share at 25 % occupancy
        assertEquals("consistent", c.get("verdict"), c.toString());
        assertTrue(c.get("horizon").startsWith("only 20 trials: too few to tell the parity rule's 0.5 from a parity-blind"), c.toString());
    }

    @Test
    void theReportShowsAShareBandToTheDigitsItsTrialsCarry() throws Exception {
        String md = java.nio.file.Files.readString(dir.resolve("run").resolve("report.md"));
        assertTrue(md.contains("| 0.501 | 0.35 | 0.14 to 0.86 |"), "0.1406 to 0.8614 over 20 trials");
        assertTrue(md.contains("| 0 to 0.025 |") && md.contains("| 0.975 to 1 |"), "a narrow band keeps its third digit");
        assertFalse(md.contains("0.1406"), "no four-digit share");
        assertTrue(md.contains("| 59.85 to 60.15 |"), "a band in seconds as before");
    }

    @Test
    void aCloseWaitHoldShorterThanEveryTimerIsConsistentWithNever() {
        rows("close-wait-leak", "close_wait_after_hold").forEach(c -> assertEquals("consistent", c.get("verdict"), c.toString()));
        rows("time-wait-scale", "time_wait_bytes_per_socket").stream().filter(c -> c.get("verdict").equals("skipped"))
                .forEach(c -> assertEquals("", c.get("measured"), "a skipped row shows no number: " + c));
    }

    @Test
    void theGlanceSaysWhatEachKeyNumberWasMeasuredAt() {
        // the key number is the one a writeup lifts: scaled or short, the line says so beside it
        assertTrue(report.contains("[C4](#port-exhaustion) | tcp_tw_reuse lifts it | 4 consistent | 1000 connections/s | 1017 connections/s"
                + " | scaled; 28232 connections/s at the defaults |"), "C4 rests on 2 s bursts over 1000 ports");
        // C2's sentence is TIME_WAIT's lifetime: its row, read from the kernel's timer in a 3 s watch, not FIN_WAIT_2's agreeing one
        assertTrue(report.contains("[C2](#time-wait-lifetime) | TIME_WAIT lasts 60 s | 1 agrees, 3 consistent | 60 s | 60 s | short of its"
                + " horizon |"), "TIME_WAIT's lifetime, short of the 60 s it was not watched for");
        assertTrue(report.contains("[C6](#simultaneous-close) | simultaneous close | 6 agrees | 10 sockets | 10 sockets | its own scale |"));
    }

    @Test
    void aCountOfOneReadsInTheSingular() {
        String exhaustion = rows("port-exhaustion", "max_connections_per_60s_window").stream()
                .filter(c -> c.get("configuration").startsWith("14-")).map(c -> c.get("explanation")).findFirst().orElseThrow();
        assertTrue(exhaustion.contains("The client created 1001 TIME_WAIT sockets and held 1000 at the end; the server sent 1 reset"
                + " (Tcp.OutRsts)."), exhaustion);
        rows("dead-peer", "noticed_after_fault_s").stream().filter(c -> c.get("explanation").startsWith("Keepalive probes"))
                .forEach(c -> assertTrue(c.get("explanation").contains("; the connection ends after 1 unanswered probe: "), c.toString()));
        assertTrue(report.contains("The server sent 1 challenge ACK (TcpExt.TCPChallengeACK), the client 1 reset (Tcp.OutRsts), and the"
                + " server counted 1 reset connection (Tcp.EstabResets)."), "close-wait-leak's reconnect paragraph");
        for (String wrong : List.of("1 resets", "1 unanswered probes", "1 retransmissions", "(s)")) {
            assertFalse(report.contains(wrong), wrong);
        }
    }

    @Test
    void theFolkloreBoxAndTheGlanceSayWhatTheRowsHold() {
        assertTrue(report.contains("where a parity-blind rule would lose 25 % of them; a port of the parity tried first was lost in 35 % of"
                + " the trials (model 50 %). "), "C8's bullet");
        assertTrue(report.contains("**A reconnect into CLOSE_WAIT does not hang.** Measured, a new connect() from a source port the server"
                + " still held in CLOSE_WAIT: connected after 0.009 s; 1 challenge ACK, 1 RST from the client. The server answered its"
                + " SYN with a challenge ACK (RFC 5961)"), "C13's bullet");
        // the quick plan runs no benchmark: C1 is not in claims.csv and there is no benchmarks' section to link to
        assertTrue(claims.stream().noneMatch(c -> c.get("claim").equals("C1")));
        assertTrue(report.contains("Every row of C2 to C13, with its band and explanation, is in [claims.csv](claims.csv); C1 has no"
                + " model, so no rows there: its numbers are in [results.csv](results.csv). "), "the glance's sentence");
    }

    @Test
    void restartRebindSaysBothOptionsAndWhereItsRetryThresholdComesFrom() {
        assertTrue(report.contains("with SO_REUSEADDR set explicitly on or off (the new SO_REUSEADDR column), retrying every 100 ms"));
        assertTrue(report.contains("hatched with an arrow where the retry window ended first, so the true time is longer."),
                "the matrix's caption says which cells are censored");
        rows("restart-rebind", "bind_keeps_failing").stream().filter(c -> c.get("conditions").contains("leftover=TIME_WAIT"))
                .forEach(c -> assertTrue(c.get("explanation").endsWith("A window over 63.05 s sees it end (60 s + the 60 s timer's"
                        + " 2.048 s timer-wheel granule at CONFIG_HZ = 250 + 1 s for the retry step and the old process's exit): set"
                        + " retry to 64 or more."), c.toString()));
        rows("close-wait-leak", "close_wait_after_hold").forEach(c -> assertTrue(c.get("horizon").contains("past 63 s (60 s, TIME_WAIT's"
                + " length and the default tcp_fin_timeout, + 3 s for those timers' 2.048 s timer-wheel granule at CONFIG_HZ = 250)"),
                c.toString()));
    }

    @Test
    void aOneConfigurationRunSaysSoInTheSingular() throws Exception {
        Path one = Fixtures.copyTree(Path.of("src/test/resources/fixtures/port-exhaustion-default-range"), dir.resolve("one"));
        ReportWriter.write(new RunFolder(one));
        assertTrue(Files.readString(one.resolve("report.md")).contains(" · 1 of 1 configuration measured · "));
    }
}
