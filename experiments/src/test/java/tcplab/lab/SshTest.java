package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ssh command lines tcplab builds and how it words ssh's failures: strings only, no connection. */
class SshTest {
    @Test
    void everyCommandGoesOverTheOneControlConnectionQuotedForTheRemoteShell() {
        Ssh ssh = Ssh.attach("root@server", Path.of("/etc/lab_ssh_config"), Path.of("/tmp/tcplab-ssh-x/control"));
        List<String> c = ssh.command(List.of("sh", "-c", "echo \"$1\"", "sh", "it's"));
        assertEquals(List.of("ssh", "-S", "/tmp/tcplab-ssh-x/control", "-o", "ControlMaster=no", "-o", "ProxyCommand=false", "-F", "/etc/lab_ssh_config", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=5", "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3", "root@server", "--"), c.subList(0, c.size() - 1));
        assertEquals("PATH=\"$PATH:/usr/sbin:/sbin\"; export PATH; exec sh -c 'echo \"$1\"' sh 'it'\\''s'", c.get(c.size() - 1));
        String marked = ssh.forRun("20261202T0000Z").command(List.of("java", "-version")).get(c.size() - 1);
        assertTrue(marked.endsWith("exec env " + Ssh.RUN_ENV + "=20261202T0000Z setpriv --pdeathsig KILL -- java -version"), marked);
    }

    @Test
    void aDestinationThatCouldBeAnOptionIsRefused() {
        for (String bad : List.of("-oProxyCommand=touch /tmp/x", "", "root@host; rm", "a b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ssh.checkDestination(bad));
            assertTrue(e.getMessage().contains("is not an ssh destination") && e.getMessage().contains("fix:"), e.getMessage());
        }
        Ssh.checkDestination("root@198.18.7.2");
        Ssh.checkDestination("lab-server");
        Ssh.checkDestination("root@[fd00::2]");
    }

    @Test
    void sshsLastWordsBecomeWhatToDo() {
        assertTrue(Ssh.failure("root@s", "root@s: Permission denied (publickey).\n").oneLine().contains("ssh-copy-id root@s"));
        assertTrue(Ssh.failure("root@s", "Host key verification failed.\n").oneLine().contains("connect once by hand"));
        assertTrue(Ssh.failure("root@s", "ssh: Could not resolve hostname s: Name or service not known\n").oneLine().contains("check the host name"));
        String refused = Ssh.failure("root@s", "Warning: Permanently added 's' (ED25519) to the list of known hosts.\n"
                + "ssh: connect to host s port 22: Connection refused\n").oneLine();
        assertTrue(refused.contains("Connection refused") && refused.contains("ssh root@s true"), refused);
    }
}
