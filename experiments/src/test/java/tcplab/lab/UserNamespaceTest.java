package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.testing.Cli;
import tcplab.testing.Fixtures;

/**
 * Without root, the lab runs in a user namespace; where the kernel refuses those, one line says
 * why and what to do. Run as root (as CI does), the tests drop to uid 65534 to be an ordinary user.
 */
class UserNamespaceTest {
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--");

    @TempDir
    static Path dir;

    private static String classPath;

    @BeforeAll
    static void readableClassPath() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        classPath = LabLauncher.isRoot() ? copyForEveryone(dir.resolve("classpath")) : System.getProperty("java.class.path");
    }

    @Test
    void anOrdinaryUserRunsTheLabInAUserNamespace() throws Exception {
        List<String> asUser = LabLauncher.isRoot() ? AS_NOBODY : List.of();
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Files.setPosixFilePermissions(reports, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path plan = Fixtures.plan(dir, "userns", "{\"forks\": 1, \"warmupIterations\": 0, \"iterations\": 1, \"time\": \"500ms\"}",
                Fixtures.closeMode("CLIENT_RST", "\"thrpt\"", "\"veth\""));
        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result check = Cli.run(Duration.ofMinutes(1), Map.of("HOME", dir.toString()), asUser, classPath, "check-profile", "narrow-ports");
        assertEquals(0, check.exit(), check.toString());

        Cli.Result run = Cli.run(Duration.ofMinutes(2), Map.of("HOME", dir.toString()), asUser, classPath,
                "run", "--profile", "narrow-ports", "--plan", plan.toString(), "--reports", reports.toString());
        assertEquals(0, run.exit(), run.toString());
        Path folder = Fixtures.runFolder(run);
        assertEquals("user namespace", Fixtures.json(folder.resolve("metadata.json")).path("lab").path("privileges").asText());
        assertEquals("40000 40999", Fixtures.csv(folder.resolve("sysctls.csv")).stream()
                .filter(r -> r.get("key").equals("net.ipv4.ip_local_port_range")).findFirst().orElseThrow().get("value"),
                "the profile applied inside the user's own namespaces");
        assertTrue(Fixtures.measured(folder, "01-", "ok") > 100);
        if (LabLauncher.isRoot()) {
            assertEquals(65534, (int) Files.getAttribute(folder.resolve("metadata.json"), "unix:uid"), "files belong to the user");
        }
    }

    @Test
    void whereUserNamespacesAreNotAllowedOneLineSaysWhyAndWhatToDo() throws Exception {
        assumeTrue(LabLauncher.isRoot(), "making a user namespace in which no user namespace may be made needs root");
        String limitBefore = Files.readString(Path.of("/proc/sys/user/max_user_namespaces"));
        // A user namespace of our own whose user.max_user_namespaces is 0 (the limit is per user
        // namespace, so the machine's own stays as it is), and uid 65534 inside it.
        List<String> command = new ArrayList<>(List.of("unshare", "--user", "--", "sh", "-c",
                "read go; exec sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"' sh \"$@\"", "sh"));
        command.addAll(AS_NOBODY);
        command.addAll(Cli.command(List.of(), classPath, "check-profile", "baseline"));
        Path out = dir.resolve("nouserns.out");
        Path err = dir.resolve("nouserns.err");
        Process p = new ProcessBuilder(command).directory(Cli.HOME.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Thread.sleep(200); // unshare() has happened once the process waits on its input
        Files.writeString(Path.of("/proc/" + p.pid() + "/uid_map"), "0 0 65536");
        Files.writeString(Path.of("/proc/" + p.pid() + "/gid_map"), "0 0 65536");
        try (OutputStream go = p.getOutputStream()) {
            go.write("go\n".getBytes());
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String stderr = Files.readString(err);
        assertEquals(3, p.exitValue(), stderr + Files.readString(out));
        assertEquals(1, stderr.lines().count(), "one line: " + stderr);
        assertTrue(stderr.contains("does not allow unprivileged user namespaces"), stderr);
        assertTrue(stderr.contains("fix: run as root") && stderr.contains("kernel.unprivileged_userns_clone=1"), stderr);
        assertEquals(limitBefore, Files.readString(Path.of("/proc/sys/user/max_user_namespaces")), "the machine's own limit is untouched");
    }

    /** The test class path, copied where uid 65534 can read it (Maven's repository under /root is private). */
    private static String copyForEveryone(Path target) throws IOException {
        Files.createDirectories(target);
        List<String> copied = new ArrayList<>();
        int n = 0;
        for (Path entry : entries()) {
            Path copy = target.resolve((n++) + "-" + entry.getFileName());
            if (Files.isDirectory(entry)) {
                tcplab.testing.Fixtures.copyTree(entry, copy);
            } else if (Files.isRegularFile(entry)) {
                Files.copy(entry, copy, StandardCopyOption.REPLACE_EXISTING);
            } else {
                continue;
            }
            copied.add(copy.toString());
        }
        try (Stream<Path> all = Files.walk(target)) {
            for (Path f : all.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(":", copied);
    }

    /** The class path's entries, following a manifest-only jar (as Maven's test runner uses) to its Class-Path. */
    private static List<Path> entries() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path path = Path.of(e);
            if (path.toString().endsWith(".jar") && Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    String classPath = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Class-Path");
                    if (classPath != null && jar.getEntry("tcplab/cli/Main.class") == null && !classPath.isBlank()) {
                        for (String url : classPath.trim().split("\\s+")) {
                            entries.add(url.startsWith("file:") ? Path.of(URI.create(url)) : path.resolveSibling(url));
                        }
                        continue;
                    }
                }
            }
            entries.add(path);
        }
        return entries;
    }
}
