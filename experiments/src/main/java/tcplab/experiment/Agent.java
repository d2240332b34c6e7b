package tcplab.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tcplab.results.RunFolder;

/**
 * An experiment's code running inside a lab host, as its own process: its role, its parameters,
 * its deadline, raw CSVs it writes straight into the run folder, progress lines, and the
 * messages it exchanges with the run side (lines starting with {@code @} on standard output;
 * commands on standard input).
 */
public final class Agent {
    private final String role;
    private final String id;
    private final Path raw;
    private final Params params;
    private final long deadline;
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();

    public Agent(String role, String id, Path raw, Params params, long deadlineEpochMillis) {
        this.role = role;
        this.id = id;
        this.raw = raw;
        this.params = params;
        this.deadline = deadlineEpochMillis;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    commands.add(line.trim());
                }
            } catch (IOException ended) {
                // the run side closed our input
            }
            if (System.getenv(tcplab.lab.Ssh.RUN_ENV) != null) {
                // on the other machine of a two-machine run, input ends when the ssh session does: the run side is gone
                System.exit(1);
            }
        }, "tcplab-agent-commands");
        reader.setDaemon(true);
        reader.start();
    }

    public String role() {
        return role;
    }

    public Params params() {
        return params;
    }

    public long deadlineMillis() {
        return deadline;
    }

    public boolean expired() {
        return System.currentTimeMillis() >= deadline;
    }

    /** A raw CSV of this configuration, {@code raw/ID.NAME.csv}, flushed after every row; experiments write through a {@link RawTable}. */
    RunFolder.CsvLog rows(String name, String... columns) throws IOException {
        return new RunFolder(raw.getParent()).csv(RunFolder.RAW + "/" + id + "." + name + ".csv", columns);
    }

    /** A progress line; the run side echoes it. */
    public void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** A message of the experiment's protocol for the run side's {@link AgentProcess#await}. */
    public void signal(Message.Kind kind, Object... keyValues) {
        signal(Message.of(kind, keyValues).encode());
    }

    /** The agent's last word: a free-text summary the run side echoes as progress. */
    public void done(String summary) {
        signal("done " + summary);
    }

    /** An error the run side turns into the configuration's failure. */
    public void error(String message) {
        signal("error " + message);
    }

    private void signal(String message) {
        System.out.println("@" + message);
        System.out.flush();
    }

    /** The next command from the run side, one of {@code kinds}; null if none came in time. */
    public <K extends Enum<K> & Message.Kind> Message next(Class<K> kinds, Duration timeout) throws InterruptedException {
        String c = commands.poll(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        return c == null ? null : Message.parse(kinds, c);
    }

    /** Waits for a command of {@code kind}, skipping others; null if none came in time. */
    public Message await(Message.Kind kind, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            String c = commands.poll(Math.max(1, (until - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (c != null && Message.is(kind, c)) {
                return Message.parse(kind, c);
            }
        }
        return null;
    }

    /** Time left before this agent's deadline. */
    public Duration remaining() {
        return Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis()));
    }
}
