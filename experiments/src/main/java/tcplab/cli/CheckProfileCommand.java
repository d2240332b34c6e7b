package tcplab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tcplab.lab.LabLauncher;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;

/** {@code tcplab check-profile}: validate only, like {@code nginx -t}; applies nothing anyone keeps. */
@Command(name = "check-profile", mixinStandardHelpOptions = true,
        description = {"Check a profile without applying it: syntax, duplicate keys, keys this kernel has,",
                "keys that are per network namespace, and values the kernel accepts (tried in a throwaway namespace)."},
        footer = {"", "Example:", "  tcplab check-profile narrow-ports"})
final class CheckProfileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME|FILE", defaultValue = "baseline",
            description = "a profile in sysctl-profiles/ or a path to a .conf file (default: ${DEFAULT-VALUE})")
    String profile;

    @Override
    public Integer call() throws Exception {
        Profile parsed = ProfileChecks.parseForHost(Home.find().profile(profile));
        LabLauncher.checkPrerequisites();
        if (LabLauncher.run(List.of("check", "--profile", parsed.file().toAbsolutePath().toString())) != Main.OK) {
            return Main.BAD_INPUT;
        }
        if (parsed.purpose().isEmpty()) {
            System.err.println("tcplab: warning: " + parsed.file() + " has no header comment saying what the profile is for");
        }
        System.out.println("profile " + parsed.name() + " is OK: " + parsed.entries().size()
                + (parsed.entries().size() == 1 ? " key" : " keys") + ", all per network namespace, every value accepted by this kernel; nothing was applied");
        return Main.OK;
    }
}
