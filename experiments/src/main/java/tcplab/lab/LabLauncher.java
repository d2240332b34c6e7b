package tcplab.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import tcplab.kernel.NetnsGuard;

/**
 * Starts tcplab's lab side inside fresh namespaces, from wherever tcplab was started:
 *
 * <pre>
 * setpriv --pdeathsig KILL -- unshare [--user --map-root-user] --pid --fork --kill-child --mount-proc --net -- java ... lab ...
 * </pre>
 *
 * <ul>
 *   <li>The lab's JVM is process 1 of a new pid namespace. When it dies, by SIGKILL or otherwise, the
 *       kernel kills every process in that namespace: holders, servers, JMH and its forks. Their
 *       network namespaces, which have no names, die with them. Nothing is left to clean up.</li>
 *   <li>{@code --kill-child} and {@code --pdeathsig} carry a SIGKILL of the process that started the
 *       lab down to it, so killing tcplab at the top ends the lab too.</li>
 *   <li>{@code --net} gives the lab's JVM a network namespace of its own: even its own sysctl
 *       writes (the profile's dry run) land in a throwaway namespace.</li>
 *   <li>Without root, {@code --user --map-root-user} gives the lab root powers over these namespaces
 *       only, where the kernel allows unprivileged user namespaces.</li>
 * </ul>
 */
public final class LabLauncher {
    /** The exit code of a run stopped by SIGINT or SIGTERM, as a shell reports Ctrl-C. */
    public static final int INTERRUPTED = 130;
    /** Each command the lab needs and the Debian package that has it. */
    private static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("unshare", "util-linux");
        COMMANDS.put("nsenter", "util-linux");
        COMMANDS.put("setpriv", "util-linux");
        COMMANDS.put("ip", "iproute2");
        COMMANDS.put("sh", "dash");
        COMMANDS.put("cat", "coreutils");
    }

    private LabLauncher() {
    }

    public static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** "root" or "user namespace": how this lab gets its powers; recorded with every run. */
    public static String mode() {
        return isRoot() ? "root" : "user namespace";
    }

    /** Every command is there and this kernel lets us make namespaces; otherwise one line saying what to do. */
    public static void checkPrerequisites() throws LabException {
        for (Map.Entry<String, String> command : COMMANDS.entrySet()) {
            if (findOnPath(command.getKey()) == null) {
                throw new LabException("`" + command.getKey() + "` is not installed",
                        "apt-get install " + command.getValue() + " (or run `make prereqs`)");
            }
        }
        List<String> probe = new ArrayList<>(unshare());
        probe.addAll(List.of("--net", "--", "true"));
        try {
            Processes.run(probe, null, Duration.ofSeconds(10));
        } catch (LabException e) {
            if (isRoot()) {
                throw new LabException("cannot create network namespaces even as root (" + e.getMessage() + ")",
                        "run tcplab on a VM or a container with CAP_SYS_ADMIN (e.g. docker run --privileged)");
            }
            throw new LabException("cannot create namespaces without root: this kernel does not allow unprivileged user namespaces ("
                    + e.getMessage() + ")",
                    "run as root (sudo make run-profile), or allow them: sysctl -w kernel.unprivileged_userns_clone=1 (Debian),"
                            + " kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+), user.max_user_namespaces=15000");
        }
    }

    /** Runs {@code tcplab lab ARGS...} in the lab and returns its exit code. */
    public static int run(List<String> labArgs) throws LabException {
        return run(labArgs, false);
    }

    /**
     * The same; with {@code hostNetwork} (host mode) the lab keeps this machine's network namespace
     * and gets only its own pid namespace, so a killed run still leaves no process behind.
     */
    public static int run(List<String> labArgs, boolean hostNetwork) throws LabException {
        return run(labArgs, hostNetwork, () -> false);
    }

    /**
     * The same, stopped as cleanly as by SIGINT once {@code stop} says so (checked every second): a
     * two-machine run stops when the server's session is gone.
     */
    public static int run(List<String> labArgs, boolean hostNetwork, java.util.function.BooleanSupplier stop) throws LabException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
        command.addAll(unshare());
        command.addAll(List.of("--pid", "--fork", "--kill-child", "--mount-proc"));
        if (!hostNetwork) {
            command.add("--net");
        }
        command.add("--");
        List<String> args = new ArrayList<>(List.of("lab"));
        args.addAll(labArgs);
        // the lab's JVM coordinates: its own speed is in no measurement (benchmarks and agents are other JVMs)
        command.addAll(JavaCommand.tcplab(JavaCommand.TIMER_BOUND_OPTIONS, args));
        Process lab;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().put(NetnsGuard.HOST_NETNS_ENV, NetnsGuard.current());
            if (hostNetwork) {
                builder.environment().put(tcplab.host.HostMode.RUN_ENV, Long.toString(ProcessHandle.current().pid()));
            }
            // ip lives in /usr/sbin, which an ordinary user's PATH often lacks
            builder.environment().merge("PATH", "/usr/sbin:/sbin", (a, b) -> a + ":" + b);
            lab = builder.start();
        } catch (IOException e) {
            throw new LabException("cannot start the lab: " + e.getMessage(), "run `make prereqs`", e);
        }
        // Ctrl-C reaches the lab too; this side waits for it to stop cleanly, then writes what it has.
        // The lab's JVM is unshare's child; SIGTERM makes it stop as cleanly as SIGINT does.
        AtomicBoolean interrupted = new AtomicBoolean();
        SignalHandler forward = signal -> {
            interrupted.set(true);
            lab.toHandle().children().forEach(ProcessHandle::destroy);
        };
        SignalHandler previousInt = Signal.handle(new Signal("INT"), forward);
        SignalHandler previousTerm = Signal.handle(new Signal("TERM"), forward);
        try {
            boolean stopped = false;
            while (!lab.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) {
                if (!stopped && stop.getAsBoolean()) {
                    stopped = true;
                    forward.handle(new Signal("TERM"));
                }
            }
            int exit = lab.exitValue();
            // however the lab ended after a SIGINT or SIGTERM here, the run was interrupted
            return interrupted.get() && exit != 0 ? INTERRUPTED : exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Processes.killTree(lab.toHandle());
            return INTERRUPTED;
        } finally {
            Signal.handle(new Signal("INT"), previousInt);
            Signal.handle(new Signal("TERM"), previousTerm);
        }
    }

    private static List<String> unshare() {
        return isRoot() ? List.of("unshare") : List.of("unshare", "--user", "--map-root-user");
    }

    public static Path findOnPath(String command) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : path + ":/usr/sbin:/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
