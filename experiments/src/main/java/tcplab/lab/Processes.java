package tcplab.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Child processes with a bound on everything: how long they run and how their trees are killed. */
public final class Processes {
    private Processes() {
    }

    /**
     * Runs a short command to completion within {@code bound} and returns its standard output.
     * Output is read through pipes by two drainers, so a chatty command cannot block on a full pipe,
     * a hung one cannot outlive the bound, and a SIGKILL of tcplab leaves no file behind.
     */
    public static String run(List<String> command, String stdin, Duration bound) throws LabException {
        return run(command, stdin, bound, null);
    }

    /** {@link #run(List, String, Duration)} in the working directory {@code dir} (null: this process's). */
    public static String run(List<String> command, String stdin, Duration bound, Path dir) throws LabException {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process process = builder.start();
            CompletableFuture<String> stdout = drain(process.getInputStream());
            CompletableFuture<String> stderrText = drain(process.getErrorStream());
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            int exit = waitOrKill(process, bound);
            String out = drained(stdout);
            if (exit != 0) {
                String stderr = drained(stderrText).trim().replace('\n', ' ');
                throw new LabException("`" + String.join(" ", command) + "` "
                        + (exit == -1 ? "did not finish within " + bound.toSeconds() + " s" : "failed (exit " + exit + ")")
                        + (stderr.isEmpty() ? "" : ": " + stderr), null);
            }
            return out;
        } catch (IOException e) {
            throw new LabException("cannot run `" + command.get(0) + "`: " + e.getMessage(),
                    "check that it is installed (`make prereqs` lists what tcplab needs)", e);
        }
    }

    /** A pending kill, cancelled by closing it. */
    public interface Deadline extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Kills {@code processes} and their descendants if they are still running after {@code bound}: for
     * a pipe between two processes that this thread copies, where waitFor's bound would come too late.
     * Closing it before then cancels the kill.
     */
    public static Deadline deadline(Duration bound, Process... processes) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tcplab-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.schedule(() -> {
            for (Process p : processes) {
                killTree(p.toHandle());
            }
        }, bound.toMillis(), TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    /** Reads a stream to its end on a daemon thread. */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread drainer = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        }, "tcplab-drain");
        drainer.setDaemon(true);
        drainer.start();
        return text;
    }

    /**
     * What a drainer read. The process has ended (or was killed with its tree) by now, so its pipe is
     * closed within moments; a grandchild that escaped with the pipe open costs at most this wait.
     */
    private static String drained(CompletableFuture<String> text) {
        try {
            return text.get(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }

    private static final Duration DRAIN_WAIT = Duration.ofSeconds(5);

    /** Waits up to {@code bound}; past it, kills the process and its descendants. Returns the exit code, or -1 if killed. */
    public static int waitOrKill(Process process, Duration bound) {
        try {
            if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killTree(process.toHandle());
        return -1;
    }

    /**
     * Kills a process and everything below it: the parent first, so it starts nothing new, then
     * the descendants found before, and waits (bounded) for the parent to be gone.
     */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> below = root.descendants().toList();
        root.destroyForcibly();
        below.forEach(ProcessHandle::destroyForcibly);
        try {
            root.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a process that survives SIGKILL for 5 s is stuck in the kernel; the pid namespace ends it with the lab
        }
    }

    /** Asks a process tree to stop (SIGTERM) and kills what is left after {@code grace}. */
    public static void stopTree(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        waitOrKill(process, grace);
    }
}
