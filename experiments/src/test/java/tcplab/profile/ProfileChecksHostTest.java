package tcplab.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;

/** The read-only checks against this machine's kernel, run before any namespace exists. */
class ProfileChecksHostTest {
    @TempDir
    Path dir;

    private List<ProfileProblem> check(String body) throws Exception {
        return ProfileChecks.againstHost(ProfileParser.parse(Cli.write(dir, "p.conf", "# purpose\n" + body)));
    }

    @Test
    void acceptsPerNamespaceKeysThisKernelHas() throws Exception {
        assertEquals(List.of(), check("net.ipv4.tcp_tw_reuse = 1\nnet.core.somaxconn = 1024\n"));
    }

    @Test
    void refusesHostWideKeysOfEveryKind() throws Exception {
        List<ProfileProblem> problems = check("kernel.pid_max = 65536\nvm.swappiness = 10\nfs.file-max = 100000\n");
        assertEquals(3, problems.size(), problems.toString());
        for (ProfileProblem p : problems) {
            assertTrue(p.problem().contains("host-wide") && p.problem().contains("change the whole machine"), p.toString());
        }
        assertEquals("kernel.pid_max", problems.get(0).key());
        assertEquals(2, problems.get(0).line());
    }

    @Test
    void unknownKeysGetADidYouMeanAndRemovedKeysSayWhatBecameOfThem() throws Exception {
        List<ProfileProblem> problems = check("net.ipv4.tcp_tw_reuze = 1\nnet.ipv4.tcp_tw_recycle = 1\nnet.ipv4.no_such_thing_at_all = 1\n");
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).fix().contains("did you mean net.ipv4.tcp_tw_reuse?"), problems.get(0).toString());
        assertTrue(problems.get(1).problem().contains("removed in Linux 4.12"), problems.get(1).toString());
        assertTrue(problems.get(2).problem().contains("no such sysctl") && problems.get(2).fix().contains("sysctl -a"), problems.get(2).toString());
    }

    @Test
    void parseForHostThrowsWithEveryProblem() throws Exception {
        Path file = Cli.write(dir, "two.conf", "# purpose\nvm.swappiness = 1\nnet.ipv4.tcp_tw_reuze = 1\n");
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileChecks.parseForHost(file));
        assertEquals(2, e.problems().size());
    }

    @Test
    void namespaceChecksRefuseToWriteOutsideALab() throws Exception {
        // This JVM was not started by a lab: the dry run must not write here, on the host.
        Profile profile = ProfileParser.parse(Cli.write(dir, "p.conf", "# p\nnet.ipv4.tcp_fin_timeout = 59\n"));
        assertThrows(IllegalStateException.class, () -> ProfileChecks.inNamespace(profile));
    }
}
