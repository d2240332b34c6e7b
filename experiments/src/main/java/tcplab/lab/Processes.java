package tcplab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Child processes with a bound on everything: how long they run and how their trees are killed. */
public final class Processes {
    private Processes() {
    }

    /**
     * Runs a short command to completion within {@code bound} and returns its standard output.
     * Output goes through files, so a chatty or hung command can neither block nor outlive the bound.
     */
    public static String run(List<String> command, String stdin, Duration bound) throws LabException {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("tcplab-out", ".txt");
            err = Files.createTempFile("tcplab-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process process = builder.start();
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            int exit = waitOrKill(process, bound);
            String stdout = Files.readString(out);
            if (exit != 0) {
                String stderr = Files.readString(err).trim().replace('\n', ' ');
                throw new LabException("`" + String.join(" ", command) + "` "
                        + (exit == -1 ? "did not finish within " + bound.toSeconds() + " s" : "failed (exit " + exit + ")")
                        + (stderr.isEmpty() ? "" : ": " + stderr), null);
            }
            return stdout;
        } catch (IOException e) {
            throw new LabException("cannot run `" + command.get(0) + "`: " + e.getMessage(),
                    "check that it is installed (`make prereqs` lists what tcplab needs)", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

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

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left in /tmp is harmless
            }
        }
    }
}
