package tcplab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Commands on another machine over the user's own OpenSSH client: their ~/.ssh/config, keys and agent.
 * One control connection (ControlMaster) carries every command of a run, so a command costs a round
 * trip, not a handshake, and when that connection goes every session on it goes too.
 *
 * <ul>
 *   <li>{@code BatchMode=yes}: ssh never prompts, so tcplab never sees or stores a password.</li>
 *   <li>{@code ConnectTimeout=5}: an unreachable host is an error in seconds.</li>
 *   <li>{@code ServerAliveInterval=2}, {@code ServerAliveCountMax=3}: a link that stops carrying
 *       packets ends the control connection within about 6 s (ssh_config(5)).</li>
 * </ul>
 *
 * The master runs under {@code setpriv --pdeathsig KILL}, so it dies with tcplab whatever kills tcplab,
 * and in a session of its own ({@code setsid}), so a Ctrl-C meant for tcplab does not cut it first.
 */
public final class Ssh implements AutoCloseable {
    static final List<String> OPTIONS = List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "ServerAliveInterval=2",
            "-o", "ServerAliveCountMax=3");
    private static final Duration OPEN = Duration.ofSeconds(20);

    private final String destination;
    private final Path config;
    private final Path socket;
    /** The master connection, when this process opened it; null when attached to another process's. */
    private final Process master;
    /** The run every command belongs to on the other machine, or null: see {@link #forRun}. */
    private final String run;

    private Ssh(String destination, Path config, Path socket, Process master, String run) {
        this.destination = destination;
        this.config = config;
        this.socket = socket;
        this.master = master;
        this.run = run;
    }

    /**
     * The same connection, its commands marked as run {@code id}'s ({@value #RUN_ENV} in their
     * environment) and tied to their ssh session ({@code setpriv --pdeathsig KILL}): the other
     * machine's session ends every marked process when it restores, and a command whose session
     * ends dies with it.
     */
    public Ssh forRun(String id) {
        return new Ssh(destination, config, socket, null, id);
    }

    /** The same connection without the run's mark: for tcplab's own short reads, which the run's clean-up must not count. */
    public Ssh plain() {
        return new Ssh(destination, config, socket, null, null);
    }

    /** What marks a process on the other machine as a run's. */
    public static final String RUN_ENV = "TCPLAB_REMOTE_RUN";

    /** Refuses what cannot be an ssh destination ([user@]host), before anything runs. */
    public static void checkDestination(String destination) {
        if (destination == null || destination.isBlank() || destination.startsWith("-") || !destination.matches("[A-Za-z0-9._@:%\\[\\]-]+")) {
            throw new IllegalArgumentException("--remote '" + destination + "' is not an ssh destination (fix: user@host or a Host from"
                    + " ~/.ssh/config, e.g. --remote root@server.example)");
        }
    }

    /**
     * Opens the control connection and waits until it carries commands. Failures are one line that
     * says what ssh said and what to do: an unreachable host, a refused key, an unknown host key.
     */
    public static Ssh open(String destination, Path config, Path socketDir) throws LabException {
        checkDestination(destination);
        if (LabLauncher.findOnPath("ssh") == null) {
            throw new LabException("`ssh` is not installed; a two-machine run drives the other machine with it",
                    "apt-get install openssh-client (or run `make prereqs` as root)");
        }
        Path socket = socketDir.resolve("control");
        // its own session: a Ctrl-C at the terminal reaches tcplab, which then ends the run over this connection in order
        List<String> command = new ArrayList<>(List.of("setsid", "setpriv", "--pdeathsig", "KILL", "--", "ssh", "-M", "-N", "-S", socket.toString(),
                "-o", "ControlPersist=no"));
        command.addAll(common(config));
        command.add(destination);
        Path log = socketDir.resolve("ssh-master.log");
        Process master;
        try {
            master = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new LabException("cannot start ssh: " + e.getMessage(), "apt-get install openssh-client", e);
        }
        Ssh ssh = new Ssh(destination, config, socket, master, null);
        long deadline = System.nanoTime() + OPEN.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!master.isAlive()) {
                    throw failure(destination, Files.readString(log, StandardCharsets.UTF_8));
                }
                if (Files.exists(socket) && ssh.check()) {
                    return ssh;
                }
                Thread.sleep(50);
            }
            throw new LabException("ssh to " + destination + " did not connect within " + OPEN.toSeconds() + " s",
                    "check that `ssh " + destination + " true` works without a prompt");
        } catch (IOException e) {
            throw new LabException("cannot read " + log + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while connecting to " + destination, null, e);
        } catch (LabException e) {
            ssh.close();
            throw e;
        } finally {
            if (!master.isAlive() || Thread.currentThread().isInterrupted()) {
                ssh.close();
            }
        }
    }

    /** Uses a control connection another process opened (the lab's JVM uses the run's). */
    public static Ssh attach(String destination, Path config, Path socket) {
        checkDestination(destination);
        return new Ssh(destination, config, socket, null, null);
    }

    /** ssh's last words, turned into what the user should do. */
    static LabException failure(String destination, String output) {
        String said = output.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("Warning: Permanently added"))
                .reduce((a, b) -> b).orElse("ssh exited without a message");
        String lower = said.toLowerCase(Locale.ROOT);
        String fix;
        if (lower.contains("permission denied")) {
            fix = "give ssh a key " + destination + " accepts (ssh-copy-id " + destination + ", or IdentityFile in ~/.ssh/config);"
                    + " tcplab runs ssh with BatchMode and never asks for a password";
        } else if (lower.contains("host key verification failed") || lower.contains("no matching host key")) {
            fix = "connect once by hand (ssh " + destination + ") to check and record its host key";
        } else if (lower.contains("could not resolve")) {
            fix = "check the host name, or add it to ~/.ssh/config";
        } else {
            fix = "check that `ssh " + destination + " true` works from this machine without a prompt";
        }
        return new LabException("cannot reach " + destination + " over ssh: " + said, fix);
    }

    private static List<String> common(Path config) {
        List<String> args = new ArrayList<>(OPTIONS);
        if (config != null) {
            args.addAll(0, List.of("-F", config.toString()));
        }
        return args;
    }

    public String destination() {
        return destination;
    }

    public Path config() {
        return config;
    }

    public Path socket() {
        return socket;
    }

    /** Whether the control connection still carries commands. */
    public boolean check() {
        List<String> command = new ArrayList<>(List.of("ssh", "-S", socket.toString(), "-O", "check"));
        command.addAll(common(config));
        command.add(destination);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return Processes.waitOrKill(p, Duration.ofSeconds(5)) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this process's master connection is still up (true when attached: the owner watches it). */
    public boolean alive() {
        return master == null || master.isAlive();
    }

    /** {@link #command}, run here in a session of its own and tied to this process: for what must outlive a Ctrl-C here by a moment. */
    public List<String> detachedCommand(List<String> command) {
        List<String> full = new ArrayList<>(List.of("setsid", "setpriv", "--pdeathsig", "KILL", "--"));
        full.addAll(command(command));
        return full;
    }

    /** The ssh command line that runs {@code command} on the other machine, each word quoted for its shell. */
    public List<String> command(List<String> command) {
        // ProxyCommand=false: should the control connection be gone, ssh would open a connection of its own; this makes that fail,
        // so a command never reaches the machine after the link (and the session that holds its settings) went
        List<String> full = new ArrayList<>(List.of("ssh", "-S", socket.toString(), "-o", "ControlMaster=no", "-o", "ProxyCommand=false"));
        full.addAll(common(config));
        full.add(destination);
        full.add("--");
        // a non-interactive session's PATH often lacks the sbin folders (ip, nft, sysctl)
        String words = String.join(" ", command.stream().map(Ssh::quote).toList());
        full.add("PATH=\"$PATH:/usr/sbin:/sbin\"; export PATH; exec "
                + (run == null ? "" : "env " + RUN_ENV + "=" + quote(run) + " setpriv --pdeathsig KILL -- ") + words);
        return full;
    }

    /** A short shell script on the other machine, {@code args} its $1, $2...; returns its output, or throws with its last line. */
    public String run(String script, String stdin, Duration bound, String... args) throws LabException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        try {
            return Processes.run(command(command), stdin, bound);
        } catch (LabException e) {
            // the ssh command line says nothing to a user; what the machine answered does
            String said = e.getMessage().replaceFirst("^`[^`]*` ", "");
            throw new LabException("on " + destination + ": " + said, "check that `ssh " + destination + " true` works, and the output above", e);
        }
    }

    /** Copies {@code local} to {@code remote} (a path there), through a partial file renamed when complete. */
    public void copy(Path local, String remote) throws LabException {
        List<String> command = command(List.of("sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1.partial\" && mv \"$1.partial\" \"$1\"",
                "sh", remote));
        try {
            Process p = new ProcessBuilder(command).redirectInput(local.toFile()).redirectErrorStream(true).start();
            String out;
            try (Processes.Deadline bound = Processes.deadline(Duration.ofMinutes(5), p)) {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            if (Processes.waitOrKill(p, Duration.ofSeconds(5)) != 0) {
                throw new LabException("cannot copy " + local + " to " + destination + ":" + remote + ": " + out.trim(), "check the space there");
            }
        } catch (IOException e) {
            throw new LabException("cannot copy " + local + " to " + destination + ": " + e.getMessage(), null, e);
        }
    }

    /** Single-quotes a word for a POSIX shell. */
    public static String quote(String word) {
        return word.matches("[A-Za-z0-9_./=:,@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** Ends the control connection and every session on it. */
    @Override
    public void close() {
        if (master == null) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("ssh", "-S", socket.toString(), "-O", "exit"));
        command.addAll(common(config));
        command.add(destination);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Processes.waitOrKill(p, Duration.ofSeconds(5));
        } catch (IOException ignored) {
            // the master is killed below
        }
        Processes.waitOrKill(master, Duration.ofSeconds(3));
    }
}
