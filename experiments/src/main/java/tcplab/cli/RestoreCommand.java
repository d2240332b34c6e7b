package tcplab.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.host.HostMode;
import tcplab.host.RestoreFile;
import tcplab.remote.RemoteMachine;
import tcplab.results.Metadata;

/** {@code tcplab restore}: put back the settings a killed host-mode run left changed. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Put back this machine's TCP settings as they were before a host-mode run that was killed",
                "(they are recorded in /var/lib/tcplab/host-restore.conf, or $TCPLAB_STATE_DIR). Does nothing when nothing is pending."},
        footer = {"", "Examples:", "  sudo make restore", "  make restore REMOTE=root@server    # the server machine of a killed two-machine run"})
final class RestoreCommand implements Callable<Integer> {
    @Option(names = "--remote", paramLabel = "[USER@]HOST", description = "restore that machine instead, over ssh (the server of a two-machine run)")
    String remote;

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "an ssh_config file for --remote instead of ~/.ssh/config")
    java.nio.file.Path sshConfig;

    @Override
    public Integer call() throws Exception {
        if (remote != null) {
            // after a SIGKILL here, both: this machine first (its restore file blocks every other command), then the server
            Map<String, String> here = HostMode.restoreFromFile();
            here.forEach((k, v) -> System.out.println("restored " + k + " = " + v));
            System.out.println(here.isEmpty() ? "tcplab: nothing to restore on this machine"
                    : "tcplab: this machine's settings are back as they were; " + RestoreFile.path() + " removed");
            try (RemoteMachine machine = RemoteMachine.connect(remote, sshConfig)) {
                machine.install(Metadata.tcplab(Home.find().root()).path("version").asText());
                machine.restore().lines().forEach(l -> System.out.println(remote + ": " + l));
            }
            return Main.OK;
        }
        Map<String, String> restored = HostMode.restoreFromFile();
        if (restored.isEmpty()) {
            System.out.println("tcplab: nothing to restore (" + RestoreFile.path() + " does not exist)");
            return Main.OK;
        }
        restored.forEach((k, v) -> System.out.println("restored " + k + " = " + v));
        System.out.println("tcplab: this machine's settings are back as they were; " + RestoreFile.path() + " removed");
        return Main.OK;
    }
}
