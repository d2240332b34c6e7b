package tcplab.experiment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * C10, C11 and C12 against the real kernel, in one run with scaled-down timers: SYNs dropped with 1
 * and 2 retries, an accept queue overflowing, four ways a peer fails, and a write into a vanished
 * peer with tcp_retries2 1 and 2 and a user timeout. Packets are dropped with nf_tables inside the
 * lab's own server host.
 */
class TimeoutExperimentsTest {
    @TempDir
    static Path dir;

    static Path run;
    static List<Map<String, String>> claims;

    @BeforeAll
    static void runOnce() throws Exception {
        Path plan = Cli.write(dir, "timeouts.json", """
                {"experiments": [
                  {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["1"], "net.ipv4.tcp_syn_linear_timeouts": ["0", "4"]}},
                  {"experiment": "connect-timeout", "sysctls": {"net.ipv4.tcp_syn_retries": ["2"], "net.ipv4.tcp_syn_linear_timeouts": ["4"]}},
                  {"experiment": "connect-timeout", "params": {"connectTimeout": ["1200"]}},
                  {"experiment": "accept-overflow", "params": {"connections": ["80"], "connectTimeout": ["4000"]},
                   "sysctls": {"net.ipv4.tcp_abort_on_overflow": ["0", "1"], "net.ipv4.tcp_syncookies": ["0"]}},
                  {"experiment": "dead-peer", "params": {"fault": ["DROP", "LINK_DOWN", "STOP", "KILL"], "keepCount": ["1"], "window": ["4"]},
                   "sysctls": {"net.ipv4.tcp_keepalive_time": ["2"], "net.ipv4.tcp_keepalive_intvl": ["1"], "net.ipv4.tcp_keepalive_probes": ["1"]}},
                  {"experiment": "stuck-write", "params": {"variant": ["PLAIN", "KEEPALIVE"]}, "sysctls": {"net.ipv4.tcp_retries2": ["1", "2"]}},
                  {"experiment": "stuck-write", "params": {"variant": ["USER_TIMEOUT"], "userTimeout": ["1000"]}}
                ]}""");
        Cli.Result r = Cli.run(Duration.ofMinutes(5), Map.of(), List.of(), System.getProperty("java.class.path"),
                "run", "--profile", "baseline", "--plan", plan.toString(), "--reports", dir.resolve("reports").toString());
        assertEquals(0, r.exit(), r.toString());
        run = Fixtures.runFolder(r);
        claims = Fixtures.csv(run.resolve("claims.csv"));
    }

    /** The one claim of {@code experiment} whose metric contains {@code metricPart} and whose conditions contain every part. */
    private static Map<String, String> claim(String experiment, String metricPart, String... conditionParts) {
        List<Map<String, String>> found = Fixtures.claims(claims, experiment, "", metricPart).stream()
                .filter(c -> Arrays.stream(conditionParts).allMatch(part -> c.get("conditions").contains(part))).toList();
        assertEquals(1, found.size(), experiment + " " + metricPart + " " + List.of(conditionParts) + ": " + found);
        return found.get(0);
    }

    @Test
    void connectFollowsTheSynScheduleUnlessTheApplicationTimesOutFirst() {
        // {retries, linear timeouts, fails after (s), SYNs}: the time limit 2^(retries+1) - 1 s ends it, the linear
        // timeouts only send more SYNs within it
        // (2 retries without linear timeouts, 7 s and 3 SYNs, is KernelMatrixTest's, on a kernel that has none: make test-matrix)
        int[][] expected = {{1, 0, 3, 2}, {1, 4, 3, 3}, {2, 4, 7, 6}};
        for (int[] e : expected) {
            String[] conditions = {"tcp_syn_retries=" + e[0] + ";", "tcp_syn_linear_timeouts=" + e[1], "connectTimeout=0"};
            Map<String, String> time = claim("connect-timeout", "until connect() fails", conditions);
            assertEquals(Integer.toString(e[2]), Fixtures.model(time), time.toString());
            // fits the model; measured at scaled tcp_syn_retries, not the defaults the claim is about: consistent, and it says so
            assertEquals("consistent", time.get("verdict"), time.toString());
            assertTrue(time.get("scaled").contains("net.ipv4.tcp_syn_retries=" + e[0] + " (default 6)"), time.toString());
            assertEquals("131 s", time.get("model_at_defaults"), time.toString());
            Map<String, String> syns = claim("connect-timeout", "SYNs sent", conditions);
            assertEquals(Integer.toString(e[3]), Fixtures.measured(syns), "SYNs the server host dropped: " + syns);
        }
        Map<String, String> app = claim("connect-timeout", "until connect() fails", "connectTimeout=1200");
        assertEquals("1.2", Fixtures.model(app));
        assertEquals("agrees", app.get("verdict"), app.toString());
        assertEquals("2", Fixtures.measured(claim("connect-timeout", "SYNs sent", "connectTimeout=1200")), "the first SYN and one retransmission");
    }

    @Test
    void aFullAcceptQueueDropsSynsAndResetsOnlyWithAbortOnOverflow() {
        for (String abort : List.of("0", "1")) {
            Map<String, String> schedule = claim("accept-overflow", "whole number of SYN timeouts", "tcp_abort_on_overflow=" + abort);
            assertEquals("agrees", schedule.get("verdict"), schedule.toString());
        }
        assertEquals("0", Fixtures.measured(claim("accept-overflow", "connections reset", "tcp_abort_on_overflow=0")));
        Map<String, String> resets = claim("accept-overflow", "connections reset", "tcp_abort_on_overflow=1");
        // every reset came as a handshake completed; how many there are is a race (a SYN that found
        // room, an ACK that found the queue full) and 0 happens (seen in CI), so the count is not asserted;
        // with none seen the rule was not tested, and the row says so
        boolean none = Fixtures.measured(resets).startsWith("0 ");
        assertEquals(none ? "consistent" : "agrees", resets.get("verdict"), resets.toString());
        assertEquals(none, !resets.get("horizon").isEmpty(), resets.toString());
    }

    @Test
    void keepaliveNeverNoticesAStoppedPeerWhileTheHeartbeatDoes() {
        for (Map<String, String> c : Fixtures.claims(claims, "dead-peer", "", "")) {
            // "never" seen in a few seconds fits the model but is no proof of never: consistent, and the row says why
            boolean never = Fixtures.model(c).equals("never");
            // and a keepalive row at scaled sysctls fits the model short of the claim's own scale
            assertEquals(!c.get("horizon").isEmpty() ? "consistent" : "agrees", c.get("verdict"), c.toString());
            assertTrue(!never || !c.get("conditions").contains("fault=STOP") || !c.get("conditions").contains("mechanism=KEEPALIVE_DEFAULT")
                    || !c.get("scaled").isEmpty(), "a scaled keepalive's 'never' names the scaling: " + c);
            // (a row whose model falls past the window is skipped, and a skipped row carries no scaling)
            assertEquals(!c.get("scaled").isEmpty(), c.get("conditions").contains("mechanism=KEEPALIVE_DEFAULT")
                    && !c.get("conditions").contains("fault=KILL") && !c.get("verdict").equals("skipped"), "the sysctl keepalive rows are"
                    + " the scaled ones (a kill is seen at once at any setting): " + c);
            if (c.get("conditions").contains("mechanism=NONE") && never) {
                assertEquals("consistent", c.get("verdict"), "no mechanism: 'never' rests on the window alone: " + c);
                assertFalse(c.get("conditions").contains("heartbeat=") || c.get("conditions").contains("keepalive"),
                        "a NONE row lists no heartbeat or keepalive parameter: " + c);
            }
        }
        for (String mechanism : List.of("KEEPALIVE_DEFAULT", "KEEPALIVE_TUNED")) {
            Map<String, String> stopped = claim("dead-peer", "until the client noticed", "fault=STOP", "mechanism=" + mechanism);
            assertTrue(Fixtures.measured(stopped).startsWith("not within"), stopped.toString());
            Map<String, String> dropped = claim("dead-peer", "until the client noticed", "fault=DROP", "mechanism=" + mechanism);
            assertTrue(Double.parseDouble(Fixtures.measured(dropped)) < 4, "keepalive notices a host that drops everything: " + dropped);
        }
        Map<String, String> heartbeat = claim("dead-peer", "until the client noticed", "fault=STOP", "mechanism=HEARTBEAT");
        assertTrue(Double.parseDouble(Fixtures.measured(heartbeat)) < 2, heartbeat.toString());
        Map<String, String> none = claim("dead-peer", "until the client noticed", "fault=DROP", "mechanism=NONE");
        assertTrue(Fixtures.measured(none).startsWith("not within"), none.toString());
    }

    @Test
    void aStuckWriteFailsOneTimeoutAfterTcpRetries2AndKeepaliveDoesNotShortenIt() {
        double[] plain = new double[3];
        for (int retries2 : new int[] {1, 2}) {
            Map<String, String> p = claim("stuck-write", "until the write failed", "tcp_retries2=" + retries2, "variant=PLAIN");
            assertEquals("consistent", p.get("verdict"), "tcp_retries2 scaled down from 15: " + p);
            plain[retries2] = Double.parseDouble(Fixtures.measured(p));
            Map<String, String> k = claim("stuck-write", "until the write failed", "tcp_retries2=" + retries2, "variant=KEEPALIVE");
            assertEquals("consistent", k.get("verdict"), k.toString());
            assertTrue(Math.abs(Double.parseDouble(Fixtures.measured(k)) - plain[retries2]) < 0.5, "keepalive changes nothing: " + k);
        }
        // the model follows the path's measured RTO, a little above the 200 ms floor: 1.4 s and 3 s at exactly 200 ms
        Map<String, String> one = claim("stuck-write", "until the write failed", "tcp_retries2=1", "variant=PLAIN");
        double model1 = Double.parseDouble(Fixtures.model(one));
        assertTrue(model1 >= 1.4 && model1 < 1.8, one.toString());
        assertTrue(one.get("explanation").contains("the RTO measured"), "the model names the RTO it used: " + one);
        assertEquals("net.ipv4.tcp_retries2=1 (default 15)", one.get("scaled"), one.toString());
        double model2 = Double.parseDouble(Fixtures.model(claim("stuck-write", "until the write failed", "tcp_retries2=2", "variant=PLAIN")));
        assertTrue(model2 >= 3 && model2 < 3.7, "tcp_retries2 = 2: " + model2);
        assertFalse(one.get("conditions").contains("userTimeout"), "a PLAIN row lists no TCP_USER_TIMEOUT: " + one);
        assertEquals(1, one.get("conditions").split("variant=", -1).length - 1, "variant once: " + one);
        Map<String, String> user = claim("stuck-write", "until the write failed", "variant=USER_TIMEOUT");
        assertEquals("agrees", user.get("verdict"), user.toString());
        assertTrue(Double.parseDouble(Fixtures.measured(user)) < 1.5, "TCP_USER_TIMEOUT = 1 s ends it well before tcp_retries2 = 15: " + user);
    }

    @Test
    void claimsCsvIsDataAScriptCanRead() throws Exception {
        Fixtures.assertClaimsColumns(run);
    }
}
