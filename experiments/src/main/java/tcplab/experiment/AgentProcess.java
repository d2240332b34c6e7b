package tcplab.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tcplab.lab.LabException;
import tcplab.lab.LabHost;
import tcplab.lab.Processes;

/**
 * An experiment's agent running inside a lab host, seen from the lab's JVM. Its output goes to a log
 * file; lines starting with {@code @} are messages for the run side ({@link #await}), the others
 * are progress and are echoed. Commands go to its standard input ({@link #send}).
 */
public final class AgentProcess implements AutoCloseable {
    private final String role;
    private final Process process;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread pump;

    private AgentProcess(String role, Process process, Path log, Consumer<String> progress) throws IOException {
        this.role = role;
        this.process = process;
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)); out) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line + "\n");
                    out.flush();
                    if (line.startsWith("@")) {
                        messages.add(line.substring(1));
                    } else {
                        progress.accept(role + ": " + line);
                    }
                }
            } catch (IOException ended) {
                // the agent is gone; waiting callers time out or see it dead
            }
        }, "tcplab-agent-" + role);
        pump.setDaemon(true);
        pump.start();
    }

    static AgentProcess start(LabHost host, String experiment, List<String> jvmOptions, String role, String id, Path raw, Map<String, String> params,
                              long deadlineEpochMillis, List<String> prefix, Consumer<String> progress) throws LabException {
        List<String> args = new ArrayList<>(List.of("agent", "--experiment", experiment, "--role", role, "--id", id,
                "--raw", host.path(raw), "--deadline", Long.toString(deadlineEpochMillis)));
        params.forEach((k, v) -> args.addAll(List.of("--param", k + "=" + v)));
        try {
            List<String> command = new ArrayList<>(prefix);
            command.addAll(host.tcplab(jvmOptions, args));
            Process p = new ProcessBuilder(host.command(command)).redirectErrorStream(true).start();
            return new AgentProcess(role, p, raw.resolve(id + "." + role + ".log"), progress);
        } catch (IOException e) {
            throw new LabException("cannot start the " + role + " agent of " + experiment + ": " + e.getMessage(), "run `make build`", e);
        }
    }

    /** Waits for the agent's next message starting with {@code prefix} ({@code done}, a free-text summary); returns the rest of it. */
    public String await(String prefix, Duration timeout) throws LabException {
        return awaitLine(m -> m.startsWith(prefix), prefix, timeout).substring(prefix.length()).trim();
    }

    /** Waits for the agent's next message of {@code kind}, skipping others. */
    public Message await(Message.Kind kind, Duration timeout) throws LabException {
        return Message.parse(kind, awaitLine(m -> Message.is(kind, m), kind.word(), timeout));
    }

    /** Sends a message of the experiment's protocol to the agent. */
    public void send(Message.Kind kind, Object... keyValues) throws LabException {
        send(Message.of(kind, keyValues).encode());
    }

    private String awaitLine(java.util.function.Predicate<String> wanted, String what, Duration timeout) throws LabException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String m = messages.poll(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
                if (m != null && wanted.test(m)) {
                    return m;
                }
                if (m != null && m.startsWith("error")) {
                    throw new LabException("the " + role + " agent failed: " + m.substring(5).trim(), null);
                }
                if (m == null && !process.isAlive() && messages.isEmpty()) {
                    pump.join(1000);
                    if (messages.isEmpty()) {
                        throw new LabException("the " + role + " agent exited (" + process.exitValue() + ") before it said '" + what + "'", null);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for the " + role + " agent", null, e);
        }
        throw new LabException("the " + role + " agent did not say '" + what + "' within " + timeout.toSeconds() + " s", null);
    }

    private void send(String command) throws LabException {
        try {
            OutputStream in = process.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new LabException("the " + role + " agent is gone: " + e.getMessage(), null, e);
        }
    }

    /** Waits for the agent to finish within {@code bound}; kills it past that. Returns its exit code, -1 if killed. */
    public int waitFor(Duration bound) {
        int exit = Processes.waitOrKill(process, bound);
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exit;
    }

    /** The agent's process id (the JVM's: the wrappers that start it exec it). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.killTree(process.toHandle());
        }
    }
}
