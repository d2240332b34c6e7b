package tcplab.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tcplab.lab.LabException;

/** What one round trip learns about the server machine, and each refusal's line: parsing and rules, no ssh. */
class RemoteMachineTest {
    static final String GOOD = """
            uid=0
            home=/root
            conn=198.18.7.1 40022 198.18.7.2 22
            kernel=6.1.0-57-amd64
            java=17
            sysctls=yes
            has=setpriv
            has=unshare
            has=nsenter
            has=ip
            has=tar
            has=sha256sum
            """;

    @Test
    void aProbeReadsTheMachineAndThePath() throws Exception {
        RemoteMachine.Probe p = RemoteMachine.parseProbe(GOOD);
        assertEquals(0, p.uid());
        assertEquals("198.18.7.2", p.serverAddress());
        assertEquals(22, p.serverPort());
        assertEquals("198.18.7.1", p.clientAddress());
        assertEquals(40022, p.clientPort());
        assertEquals(17, p.javaMajor());
        RemoteMachine.check("root@server", p); // nothing to refuse
        assertEquals(8, RemoteMachine.parseProbe(GOOD.replace("java=17", "java=1.8")).javaMajor(), "Java 8 says 1.8");
    }

    static String refusal(String probe) {
        return assertThrows(LabException.class, () -> RemoteMachine.check("root@server", RemoteMachine.parseProbe(probe))).oneLine();
    }

    @Test
    void eachMissingPieceIsOneLineWithItsFix() {
        List.of(
                List.of(GOOD.replace("java=17", "java="), "no java on root@server's PATH", "apt-get install openjdk-17-jre-headless on root@server"),
                List.of(GOOD.replace("java=17", "java=11"), "root@server has Java 11; tcplab needs 17 or newer there", "openjdk-17"),
                List.of(GOOD.replace("uid=0", "uid=1000"), "logs you in as uid 1000", "--remote root@HOST"),
                List.of(GOOD.replace("has=setpriv\n", ""), "`setpriv` is missing on root@server", "apt-get install util-linux on root@server"),
                List.of(GOOD.replace("sysctls=yes", "sysctls=no"), "cannot read root@server's TCP sysctls", "/proc/sys mounted"),
                List.of(GOOD.replace("conn=198.18.7.1 40022 198.18.7.2 22", "conn="), "does not say which address", "OpenSSH server"))
                .forEach(c -> {
                    String line = refusal(c.get(0));
                    assertTrue(line.contains(c.get(1)) && line.contains("(fix: ") && line.contains(c.get(2)), line);
                    assertEquals(1, line.lines().count(), line);
                });
    }

    @Test
    void aServerThatSeesAnotherAddressThanThisMachinesIsRefused() throws Exception {
        RemoteMachine.Probe p = RemoteMachine.parseProbe(GOOD);
        RemoteMachine.checkDirect("root@server", p, java.util.Set.of("198.18.7.1", "127.0.0.1"));
        String line = assertThrows(LabException.class, () -> RemoteMachine.checkDirect("root@server", p, java.util.Set.of("10.0.0.9")))
                .oneLine();
        assertTrue(line.contains("sees this machine as 198.18.7.1") && line.contains("jump host") && line.contains("(fix: "), line);
    }
}
