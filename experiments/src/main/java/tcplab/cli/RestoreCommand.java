package tcplab.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import tcplab.host.HostMode;
import tcplab.host.RestoreFile;

/** {@code tcplab restore}: put back the settings a killed host-mode run left changed. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Put back this machine's TCP settings as they were before a host-mode run that was killed",
                "(they are recorded in /var/lib/tcplab/host-restore.conf, or $TCPLAB_STATE_DIR). Does nothing when nothing is pending."},
        footer = {"", "Example:", "  sudo make restore"})
final class RestoreCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
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
