package tcplab.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the JVMs the lab starts, on the same Java that runs tcplab. */
public final class JavaCommand {
    /**
     * Each lab's JVM is pid 1 of its own pid namespace, and HotSpot names its /tmp/hsperfdata file by
     * pid: two labs at once would fight over one file. Monitoring data is not needed here.
     */
    static final String NO_PERF_DATA = "-XX:-UsePerfData";

    /**
     * The lab's own helper JVMs (orchestrator, server) mostly wait or serve one thread: a small heap
     * and the serial collector keep them from competing with the benchmark for the two cores.
     */
    static final List<String> HELPER_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-Djava.awt.headless=true", NO_PERF_DATA);

    /**
     * For the JVMs that only wait or coordinate: the agents and servers of a timer-bound
     * configuration (see {@code tcplab.experiment.Pace}) and the lab's own JVM. They live for
     * seconds or mostly sleep, so C2's compiler threads are CPU spent on code that never gets hot,
     * and the quick plan's timer-bound phase is limited by CPU, not by its slots. Measured with
     * time(1) on 2 cores over restart-rebind and admin-port configurations run one at a time: about
     * 4.3 core-seconds each with C2, 3.4 with C1 in the agents and servers, 3.0 with the lab's JVM
     * too. Never for a benchmark's JVMs or a CPU-bound configuration's agents: their rates would then
     * be the JIT's.
     */
    public static final List<String> TIMER_BOUND_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    /**
     * For the tcplab server's JVM. A client's RST close makes the server's read fail with
     * ECONNRESET, which the JDK throws as an exception whose stack trace HotSpot walks and fills in,
     * once per connection. Without the trace the server's CPU per connection fell from 23.0 to 19.6 µs
     * (medians of 4 rounds of compare-native --sides server --threads 1, 2026-12-03, 2 GHz Xeon). It
     * counts such errors and never prints their traces; an internal error of serve still prints its
     * type and message, without the frames.
     */
    static final String SERVER_OPTION = "-XX:-StackTraceInThrowable";

    private JavaCommand() {
    }

    /** The options of the lab's helper JVMs, for a JVM started elsewhere (another machine's). */
    public static List<String> helperOptions() {
        return HELPER_OPTIONS;
    }

    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * tcplab's class path with every entry absolute and any manifest-only jar (as Maven's test runner
     * makes in /tmp) replaced by the entries its Class-Path names: a guest kernel sees this machine's
     * files but not its /tmp, and starts tcplab from another working directory.
     */
    public static String portableClassPath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            String manifestPath = null;
            if (p.toString().endsWith(".jar")) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
                    var manifest = jar.getManifest();
                    manifestPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                } catch (java.io.IOException e) {
                    manifestPath = null;
                }
            }
            if (manifestPath == null || manifestPath.isBlank()) {
                out.add(p.toString());
                continue;
            }
            for (String url : manifestPath.trim().split("\\s+")) {
                java.net.URI uri = p.getParent().toUri().resolve(url);
                out.add(Path.of(uri).toString());
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    /** tcplab's own entry point with these arguments. */
    public static List<String> tcplab(List<String> args) {
        return tcplab(List.of(), args);
    }

    /** The same, with JVM options on top of the helpers' ({@link #TIMER_BOUND_OPTIONS}). */
    public static List<String> tcplab(List<String> options, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(HELPER_OPTIONS);
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("tcplab.cli.Main");
        command.addAll(args);
        return command;
    }

    /**
     * The JMH runner in benchmarks.jar with JMH's own flags. No JVM options here but the perf-data
     * one and a temporary directory (JMH gives its forks the options of this JVM): the benchmarks
     * choose their own. JMH keeps its forks' output in temporary files and deletes them only when it
     * ends normally, so they go to {@code tmpDir}, which the run clears, rather than to /tmp.
     */
    public static List<String> benchmarks(Path jar, Path tmpDir, List<String> jmhArgs) {
        List<String> command = new ArrayList<>(List.of(java(), NO_PERF_DATA, "-Djava.io.tmpdir=" + tmpDir, "-cp", jar.toString(),
                "tcplab.benchmarks.LabRunner"));
        command.addAll(jmhArgs);
        return command;
    }
}
