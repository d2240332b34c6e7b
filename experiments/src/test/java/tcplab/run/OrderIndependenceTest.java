package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * A configuration's result must not depend on what ran before it. With a 40-port range and no
 * TIME_WAIT reuse, a client can complete about 40 connections before its ports are all held; if
 * the lab reused a namespace, a configuration run right after one that filled the TIME_WAIT table
 * would complete none.
 */
class OrderIndependenceTest {
    private static final int PORTS = 40;

    @TempDir
    Path dir;

    @Test
    void aConfigurationGivesTheSameResultAloneAndAfterOneThatFillsTheTimeWaitTable() throws Exception {
        // tcp_rfc1337 = 1: a stray reset cannot end a TIME_WAIT socket early and free a 41st port (see EndedEarly)
        Path profile = Fixtures.profile(dir, "forty-ports", "net.ipv4.ip_local_port_range = 40000 40039", "net.ipv4.tcp_tw_reuse = 0",
                "net.ipv4.tcp_rfc1337 = 1");
        String jmh = "{\"forks\": 1, \"warmupIterations\": 0, \"iterations\": 1, \"time\": \"500ms\"}";
        String probe = Fixtures.closeMode("CLIENT_FIN", "\"thrpt\"", "\"veth\"");
        Path alone = run(profile, Fixtures.plan(dir, "alone", jmh, probe), "alone");
        Path after = run(profile, Fixtures.plan(dir, "after", jmh, probe, probe), "after");

        long fillerTimeWait = Fixtures.counter(after, "01-", "client", "state.TIME_WAIT", "after");
        assertTrue(fillerTimeWait >= PORTS - 2, "the first configuration filled the TIME_WAIT table: " + fillerTimeWait);

        long okAlone = Fixtures.measured(alone, "01-", "ok");
        long okAfter = Fixtures.measured(after, "02-", "ok");
        assertTrue(okAlone >= PORTS - 2 && okAlone <= PORTS, "alone: " + okAlone + " connections from " + PORTS + " ports");
        assertEquals(okAlone, okAfter, 1, "same result alone (" + okAlone + ") and after a full TIME_WAIT table (" + okAfter + ")");
        assertEquals(Fixtures.counter(alone, "01-", "client", "Tcp.ActiveOpens", "delta"),
                Fixtures.counter(after, "02-", "client", "Tcp.ActiveOpens", "delta"), 1);
        assertEquals(0, Fixtures.counter(after, "02-", "client", "state.TIME_WAIT", "before"), "a fresh namespace starts empty");
    }

    private Path run(Path profile, Path plan, String name) throws Exception {
        Cli.Result r = Cli.run("run", "--profile", profile.toString(), "--plan", plan.toString(), "--reports", dir.resolve(name).toString());
        assertEquals(0, r.exit(), r.toString());
        return Fixtures.runFolder(r);
    }
}
