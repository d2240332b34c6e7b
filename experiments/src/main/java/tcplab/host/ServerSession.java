package tcplab.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.lab.Processes;
import tcplab.lab.Ssh;
import tcplab.profile.Profile;

/**
 * The server machine's side of a two-machine run, started there over ssh: host mode on that
 * machine, ended by the machine itself. It applies the profile (its restore file written there
 * first), answers {@code @applied}, and then lives only as long as the run's heartbeat: a
 * {@code beat} line on its input every second. It restores when any of these happens:
 * <ul>
 *   <li>{@code end}: the run finished;</li>
 *   <li>its input closes: the ssh session went (the client side died, or ssh did);</li>
 *   <li>no beat for {@link #SILENCE}: the link stopped carrying packets, which sshd may not notice for hours;</li>
 *   <li>its lifetime passes, or a signal (the shutdown hook).</li>
 * </ul>
 * Restoring also ends every process of the run there (marked with {@link Ssh#RUN_ENV}), deletes the
 * nf_tables table the fault experiments use, and the run's folder there. No ssh session is needed
 * for any of it.
 */
public final class ServerSession {
    /** How long without a heartbeat before the session restores: five missed beats. */
    public static final Duration SILENCE = Duration.ofSeconds(5);
    /** The nf_tables table tcplab's faults live in (see {@code tcplab.lab.Firewall}). */
    static final String TABLE = "tcplab";

    private final String run;
    private final Path runDir;
    private final HostMode applied;
    /** Null until the clean-up has run; then whether it went well. */
    private Boolean cleaned;

    private ServerSession(String run, Path runDir, HostMode applied) {
        this.run = run;
        this.runDir = runDir;
        this.applied = applied;
    }

    /** Applies {@code profile} to this machine and serves the session on standard input and output; returns the exit code. */
    public static int serve(Profile profile, String run, Path runDir, Duration lifetime) {
        HostMode applied;
        try {
            applied = HostMode.apply(profile, run);
        } catch (LabException e) {
            System.out.println("@error " + e.oneLine());
            try {
                tcplab.results.RunFolder.deleteTree(runDir);
            } catch (IOException ignored) {
                // the error is what the client side reports
            }
            return 1;
        }
        ServerSession session = new ServerSession(run, runDir, applied);
        Thread hook = new Thread(session::cleanUp, "tcplab-server-session");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("@applied " + RestoreFile.path());
        System.out.flush();
        String why = session.await(lifetime);
        System.out.println("tcplab: server session ends: " + why);
        boolean ok = session.cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook ran or runs: it cleaned up
        }
        System.out.println(ok ? "@restored" : "@error could not put this machine's settings back; " + RestoreFile.path() + " is kept");
        System.out.flush();
        return ok ? 0 : 1;
    }

    /** Waits for the end of the session; returns why it ended. */
    private String await(Duration lifetime) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line.trim());
                }
            } catch (IOException ignored) {
                // the session's input went: the same as its end
            }
            lines.add("<eof>");
        }, "tcplab-session-input");
        reader.setDaemon(true);
        reader.start();
        long end = System.nanoTime() + lifetime.toNanos();
        try {
            while (System.nanoTime() < end) {
                String line = lines.poll(SILENCE.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    return "no heartbeat for " + SILENCE.toSeconds() + " s (the link to the client is gone)";
                }
                if (line.equals("<eof>")) {
                    return "the ssh session closed";
                }
                if (line.equals("end")) {
                    return "the run finished";
                }
            }
            return "its lifetime of " + lifetime.toSeconds() + " s passed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Ends the run's processes here, removes its nf_tables table and folder, and restores the settings;
     * true when all went well. Once: a second caller (the input's end and a signal's hook, racing) waits
     * for the first to finish, so the JVM never halts halfway through.
     */
    private synchronized boolean cleanUp() {
        if (cleaned == null) {
            cleaned = cleanUpOnce();
        }
        return cleaned;
    }

    private boolean cleanUpOnce() {
        endMarkedProcesses(run);
        if (LabLauncher.findOnPath("nft") != null) {
            try {
                Processes.run(List.of("sh", "-c", "nft list table inet " + TABLE + " >/dev/null 2>&1 || exit 0; nft delete table inet " + TABLE),
                        null, Duration.ofSeconds(10));
            } catch (LabException e) {
                System.out.println("tcplab: cannot delete nf_tables table inet " + TABLE + ": " + e.getMessage());
            }
        }
        try {
            tcplab.results.RunFolder.deleteTree(runDir);
        } catch (IOException e) {
            System.out.println("tcplab: cannot delete the run's folder " + runDir + ": " + e.getMessage());
        }
        try {
            applied.close();
            return true;
        } catch (LabException e) {
            System.out.println("tcplab: " + e.oneLine());
            return false;
        }
    }

    /** Every process on this machine whose environment marks it as run {@code run}'s: asked to stop, then killed. */
    static List<ProcessHandle> endMarkedProcesses(String run) {
        List<ProcessHandle> marked = marked(run);
        marked.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (ProcessHandle p : marked) {
            try {
                p.onExit().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (Exception stillThere) {
                p.destroyForcibly();
            }
        }
        return marked;
    }

    /**
     * {@code make restore REMOTE=...}, after this machine's session was killed too: what any run left
     * here (its marked processes, the nft table, the runs' folders under {@code runs}), once no session
     * is running. Returns what it did, one phrase each.
     */
    public static List<String> cleanLeftovers(Path runs) {
        List<String> done = new ArrayList<>();
        try {
            if (RestoreFile.owner().map(RestoreFile.Owner::alive).orElse(false)) {
                return List.of("a session is running: left alone");
            }
        } catch (IOException e) {
            return List.of("cannot read " + RestoreFile.path() + ": " + e.getMessage());
        }
        endMarkedProcesses("").forEach(p -> done.add("ended process " + p.pid()));
        if (LabLauncher.findOnPath("nft") != null) {
            try {
                String out = Processes.run(List.of("sh", "-c", "nft list table inet " + TABLE + " >/dev/null 2>&1 || exit 0; nft delete table inet "
                        + TABLE + " && echo deleted"), null, Duration.ofSeconds(10));
                if (out.contains("deleted")) {
                    done.add("deleted nft table inet " + TABLE);
                }
            } catch (LabException e) {
                done.add("cannot delete nft table inet " + TABLE + ": " + e.getMessage());
            }
        }
        if (Files.isDirectory(runs)) {
            try (var dirs = Files.list(runs)) {
                for (Path d : dirs.toList()) {
                    tcplab.results.RunFolder.deleteTree(d);
                    done.add("deleted " + d);
                }
            } catch (IOException e) {
                done.add("cannot delete the runs' folders in " + runs + ": " + e.getMessage());
            }
        }
        return done;
    }

    /** The processes whose environment has {@link Ssh#RUN_ENV}={@code run} (any run's, for an empty {@code run}). */
    public static List<ProcessHandle> marked(String run) {
        byte[] wanted = (Ssh.RUN_ENV + "=" + run).getBytes(StandardCharsets.UTF_8);
        boolean anyRun = run.isEmpty();
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc/" + p.pid() + "/environ"));
                int start = 0;
                for (int i = 0; i <= env.length; i++) {
                    if (i == env.length || env[i] == 0) {
                        boolean match = anyRun ? i - start >= wanted.length && java.util.Arrays.equals(env, start, start + wanted.length, wanted, 0,
                                wanted.length) : i - start == wanted.length && java.util.Arrays.equals(env, start, i, wanted, 0, wanted.length);
                        if (match) {
                            found.add(p);
                            return;
                        }
                        start = i + 1;
                    }
                }
            } catch (IOException | SecurityException gone) {
                // ended meanwhile, or not ours to read
            }
        });
        return found;
    }
}
