package tcplab.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tcplab.lab.Capture;
import tcplab.lab.JavaCommand;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.LabHost;
import tcplab.lab.NetworkPath;
import tcplab.lab.ServerProcess;
import tcplab.results.RunFolder;
import tcplab.server.ClosePolicy;

/**
 * One configuration of an experiment, seen from the lab's JVM: its fresh hosts, its parameters, the
 * settings in effect, and the means to start agents and servers in the hosts and to write raw
 * rows. Everything it starts is stopped when the configuration ends, or at its time bound.
 */
public final class Trial implements AutoCloseable {
    private final Experiment experiment;
    private final String id;
    private final Params params;
    private final NetworkPath path;
    private final Lab lab;
    private final RunFolder folder;
    private final Map<String, String> settings;
    private final long deadline;
    private final long expectedSeconds;
    private final Consumer<String> progress;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final long start = System.nanoTime();
    private volatile boolean aborted;

    public Trial(Experiment experiment, String id, Params params, NetworkPath path, Lab lab, RunFolder folder,
                 Map<String, String> settings, Duration expected, Duration bound, Consumer<String> progress) {
        this.experiment = experiment;
        this.id = id;
        this.params = params;
        this.path = path;
        this.lab = lab;
        this.folder = folder;
        this.settings = settings;
        this.deadline = System.currentTimeMillis() + bound.toMillis();
        this.expectedSeconds = Math.max(1, expected.toSeconds());
        this.progress = progress;
    }

    public String id() {
        return id;
    }

    public Params params() {
        return params;
    }

    public NetworkPath path() {
        return path;
    }

    public Lab lab() {
        return lab;
    }

    /** The sysctls in effect in the client host, as read back. */
    public Map<String, String> settings() {
        return settings;
    }

    /** The host the server runs in on this path, and the address clients use. */
    public LabHost serverHost() {
        return path.serverHost(lab);
    }

    public String serverAddress() {
        return path.serverAddress(lab);
    }

    /** Starts the tcplab server on this path with a policy; it lives until the configuration ends. */
    public ServerProcess server(ClosePolicy policy, String name) throws LabException {
        return server(policy, name, List.of(ServerProcess.PORT));
    }

    /** The same on other ports (several servers, or one listening on several ports). */
    public ServerProcess server(ClosePolicy policy, String name, List<Integer> ports) throws LabException {
        ServerProcess server = ServerProcess.start(serverHost(), jvmOptions(), serverAddress(), ports, policy, remaining().plusSeconds(30),
                folder.raw(id, "." + name + ".csv"), folder.raw(id, "." + name + ".log"));
        started.add(server);
        return server;
    }

    /** Options for this configuration's JVMs: a timer-bound one's need no C2 (see {@link JavaCommand#TIMER_BOUND_OPTIONS}). */
    private List<String> jvmOptions() {
        return experiment.pace() == Pace.TIMER ? JavaCommand.TIMER_BOUND_OPTIONS : List.of();
    }

    /** Starts one of this experiment's agent roles inside {@code host}. */
    public AgentProcess agent(LabHost host, String role, Map<String, String> extra) throws LabException {
        return agent(host, role, extra, List.of());
    }

    /**
     * The same, its JVM started through {@code prefix}: e.g. {@code prlimit --nofile=128:128} for a
     * process limit that concerns that process alone.
     */
    public AgentProcess agent(LabHost host, String role, Map<String, String> extra, List<String> prefix) throws LabException {
        Map<String, String> all = new java.util.LinkedHashMap<>(params.asMap());
        all.putAll(extra);
        AgentProcess agent = AgentProcess.start(host, experiment.name(), jvmOptions(), role, id, rawDir(), all, deadline, prefix, this::say);
        started.add(agent);
        return agent;
    }

    /**
     * Starts an agent, waits (within the bound) for its {@code done} message, reports it as progress
     * and reaps the agent: what most experiments' clients need.
     */
    public String agentUntilDone(LabHost host, String role, Map<String, String> extra) throws LabException {
        AgentProcess agent = agent(host, role, extra);
        String done = agent.await("done", remaining());
        say(role + ": " + done);
        agent.waitFor(Duration.ofSeconds(10));
        return done;
    }

    /**
     * Starts a packet capture in {@code host} ({@link Capture}) into {@code raw/ID.NAME.pcap}, stopped when
     * the configuration ends if not before. A capture only illustrates, so one that cannot start does not
     * fail the configuration: this returns null and {@code raw/ID.NAME.tcpdump.log} says why, which the
     * figure then shows.
     */
    public Capture capture(LabHost host, String name, String filter, int packets) {
        Path log = folder.raw(id, "." + name + ".tcpdump.log");
        try {
            Capture capture = Capture.start(host, filter, packets, remaining(), folder.raw(id, "." + name + ".pcap"), log);
            started.add(capture);
            return capture;
        } catch (LabException e) {
            say("no capture: " + e.getMessage());
            try {
                java.nio.file.Files.writeString(log, "no capture: " + e.getMessage() + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException ignored) {
                // the figure then says the capture is missing, without the reason
            }
            return null;
        }
    }

    /** A raw CSV of this configuration, {@code raw/ID.NAME.csv}, flushed after every row; experiments write through a {@link RawTable}. */
    RunFolder.CsvLog rows(String name, String... columns) throws IOException {
        return folder.csv(RunFolder.RAW + "/" + id + "." + name + ".csv", columns);
    }

    /** The rows of this configuration's {@code raw/ID.NAME.csv}, e.g. what an agent wrote. */
    List<Map<String, String>> read(String name) throws IOException {
        try {
            lab.server().collect(id, false); // an agent on another machine wrote it there
        } catch (LabException e) {
            throw new IOException(e.oneLine(), e);
        }
        return RunFolder.read(folder.raw(id, "." + name + ".csv"));
    }

    public Path rawDir() {
        return folder.file(RunFolder.RAW);
    }

    /** A progress line, with the time since the configuration started and the time it should take. */
    public void say(String line) {
        progress.accept(String.format(java.util.Locale.ROOT, "  %5.1f of ~%d s: %s", (System.nanoTime() - start) / 1e9, expectedSeconds, line));
    }

    public Duration remaining() {
        return Duration.ofMillis(Math.max(0, deadline - System.currentTimeMillis()));
    }

    /** Sleeps, but not past the bound; returns false when the bound or an abort cut it short. */
    public boolean sleep(Duration d) {
        long until = System.currentTimeMillis() + d.toMillis();
        while (!aborted && System.currentTimeMillis() < Math.min(until, deadline)) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, Math.min(until, deadline) - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !aborted && System.currentTimeMillis() < deadline;
    }

    public boolean aborted() {
        return aborted || System.currentTimeMillis() >= deadline;
    }

    /** Stops everything the configuration started; safe from any thread (a signal or the time bound). */
    public void abort() {
        aborted = true;
        closeStarted();
    }

    @Override
    public void close() {
        closeStarted();
    }

    private synchronized void closeStarted() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        started.clear();
    }
}
