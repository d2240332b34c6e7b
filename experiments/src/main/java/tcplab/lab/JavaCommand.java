package tcplab.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the JVMs the lab starts, on the same Java that runs tcplab. */
public final class JavaCommand {
    /**
     * The lab's own helper JVMs (orchestrator, server) mostly wait or serve one thread: a small heap
     * and the serial collector keep them from competing with the benchmark for the two cores.
     */
    static final List<String> HELPER_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-Djava.awt.headless=true");

    private JavaCommand() {
    }

    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** tcplab's own entry point with these arguments. */
    public static List<String> tcplab(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(HELPER_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("tcplab.cli.Main");
        command.addAll(args);
        return command;
    }

    /**
     * The JMH runner in benchmarks.jar with JMH's own flags. No JVM options here: JMH gives its
     * forks the options of this JVM, and the benchmark should run on the JDK's defaults.
     */
    public static List<String> benchmarks(Path jar, List<String> jmhArgs) {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", jar.toString(), "tcplab.benchmarks.LabRunner"));
        command.addAll(jmhArgs);
        return command;
    }
}
