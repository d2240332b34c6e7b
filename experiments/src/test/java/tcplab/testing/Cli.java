package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs tcplab's command line as its own process, exactly as a user would (same entry point, real
 * lab, real kernel), and captures what it prints.
 */
public final class Cli {
    public static final Path HOME = Path.of(System.getProperty("tcplab.home", "..")).toAbsolutePath().normalize();
    /**
     * In the environment of every process these tests start, and so of every process those start:
     * how a test finds what it left behind, and only that, even with other labs running.
     */
    public static final String MARKER = "TCPLAB_TEST_MARKER=" + java.util.UUID.randomUUID();

    /** What a finished command printed and returned. */
    public record Result(int exit, String out, String err) {
        public String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Path benchmarksJar() {
        Path jar = HOME.resolve("benchmarks/target/benchmarks.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run `make test` (mvn verify builds it before these tests)");
        return jar;
    }

    /** {@code java -cp <this test's class path> tcplab.cli.Main ARGS}, with {@code prefix} in front (e.g. setpriv). */
    public static List<String> command(List<String> prefix, String classPath, String... args) {
        List<String> command = new ArrayList<>(prefix);
        // A suite started in the background (`make test &`, nohup) inherits SIGINT ignored, as POSIX has a shell do for an
        // asynchronous command, and the JVM leaves an ignored SIGINT ignored: the Ctrl-C tests would send it to a process that
        // cannot hear it. tcplab started from a terminal has the default, so the tests give it that (env execs java: same pid).
        command.addAll(List.of("env", "--default-signal=INT,QUIT"));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dtcplab.home=" + HOME);
        command.add("-cp");
        command.add(classPath);
        command.add("tcplab.cli.Main");
        command.addAll(List.of(args));
        return command;
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(3), Map.of(), List.of(), System.getProperty("java.class.path"), args);
    }

    public static Result run(Duration bound, Map<String, String> env, List<String> prefix, String classPath, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("tcplab-test-out", ".txt");
        Path err = Files.createTempFile("tcplab-test-err", ".txt");
        try {
            Process p = start(env, prefix, classPath, out, err, args);
            if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("tcplab " + String.join(" ", args) + " did not finish within " + bound
                        + "\n" + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Process start(Map<String, String> env, List<String> prefix, String classPath, Path out, Path err, String... args)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(prefix, classPath, args)).directory(HOME.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        String[] marker = MARKER.split("=", 2);
        builder.environment().put(marker[0], marker[1]);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Writes a file under {@code dir} and returns its path. */
    public static Path write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }
}
