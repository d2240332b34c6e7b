package tcplab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.server.ClosePolicy;

/** A server running in one of the lab's hosts: the tcplab server as its own JVM, or the minimal C one. */
public final class ServerProcess implements AutoCloseable {
    public static final int PORT = 7000;
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+)");
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Process process;
    private final String address;

    private ServerProcess(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /**
     * Starts the server and waits until it listens. Its output goes to {@code log}; its counters,
     * one row a second, to {@code countersCsv}.
     */
    public static ServerProcess start(LabHost host, String bindAddress, ClosePolicy policy, Duration lifetime,
                                      Path countersCsv, Path log) throws LabException {
        return start(host, bindAddress, List.of(PORT), policy, lifetime, countersCsv, log);
    }

    /** A server listening on each of {@code ports}. */
    public static ServerProcess start(LabHost host, String bindAddress, List<Integer> ports, ClosePolicy policy, Duration lifetime,
                                      Path countersCsv, Path log) throws LabException {
        return start(host, List.of(), bindAddress, ports, policy, lifetime, countersCsv, log);
    }

    /** The same, its JVM with {@code jvmOptions} on top of the helpers' ({@link JavaCommand#TIMER_BOUND_OPTIONS}). */
    public static ServerProcess start(LabHost host, List<String> jvmOptions, String bindAddress, List<Integer> ports, ClosePolicy policy,
                                      Duration lifetime, Path countersCsv, Path log) throws LabException {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add(JavaCommand.SERVER_OPTION);
        List<String> command = host.command(host.tcplab(options, List.of("serve",
                "--bind", bindAddress, "--port", String.join(",", ports.stream().map(String::valueOf).toList()), "--policy", policy.name(),
                "--lifetime", lifetime.toSeconds() + "s", "--counters", host.path(countersCsv))));
        return start(host, "tcplab server", command, log);
    }

    /**
     * The minimal C server (benchmarks/src/main/c/serve.c), for compare-native: it does the tcplab
     * server's READ_UNTIL_EOF or ANSWER work and says "listening on" as the tcplab server does.
     */
    public static ServerProcess startNative(LabHost host, Path binary, String bindAddress, boolean answer, Duration lifetime, Path log)
            throws LabException {
        return start(host, "C server", host.command(List.of(binary.toString(), bindAddress, Integer.toString(PORT),
                Long.toString(lifetime.toSeconds()), answer ? "1" : "0")), log);
    }

    private static ServerProcess start(LabHost host, String what, List<String> command, Path log) throws LabException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new LabException("cannot start the " + what + ": " + e.getMessage(), "run `make build`", e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Matcher m = LISTENING.matcher(Files.readString(log));
                if (m.find()) {
                    return new ServerProcess(process, m.group(1));
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(20);
            }
            String output = Files.readString(log).trim();
            Processes.killTree(process.toHandle());
            throw new LabException("the " + what + " did not start in the " + host.name() + " host"
                    + (output.isEmpty() ? "" : ": " + output.lines().reduce((a, b) -> b).orElse("")), "see " + log);
        } catch (IOException e) {
            Processes.killTree(process.toHandle());
            throw new LabException("cannot read the server log " + log + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Processes.killTree(process.toHandle());
            throw new LabException("interrupted while the server was starting", null, e);
        }
    }

    /** HOST:PORT as the server reported it (the first, when it listens on several ports). */
    public String address() {
        return address.split(",")[0];
    }

    /** Every HOST:PORT it listens on. */
    public List<String> addresses() {
        return List.of(address.split(","));
    }

    /** The CPU (user + system, milliseconds) the server's processes have used so far, as /proc shows it (see {@link ProcessUsage}). */
    public long cpuMillis() {
        long millis = 0;
        for (ProcessHandle p : java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants()).toList()) {
            try {
                millis += ProcessUsage.read(p.pid()).cpuMillis();
            } catch (IOException | RuntimeException gone) {
                // a process that ended between the listing and the read: its CPU is no longer counted
            }
        }
        return millis;
    }

    /** Stops the server (it writes its last counters row on SIGTERM). */
    @Override
    public void close() {
        Processes.stopTree(process, Duration.ofSeconds(5));
    }
}
