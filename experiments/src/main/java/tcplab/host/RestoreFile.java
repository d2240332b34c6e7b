package tcplab.host;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tcplab.kernel.Sysctl;

/**
 * What host mode changed and how to undo it: the machine's values from before, written (and synced)
 * before the first value is changed, and deleted only once they are back. A sysctl.d file, so
 * {@code sysctl -p FILE} restores by hand too; its header says which run wrote it and in which
 * network namespace the values apply. While it exists, tcplab refuses to start anything else.
 *
 * <p>It lives in {@code /var/lib/tcplab/} (or {@code $TCPLAB_STATE_DIR}): outside any checkout, so
 * every tcplab on the machine finds it, and on disk, so it outlives a power loss.
 */
public final class RestoreFile {
    public static final String STATE_DIR_ENV = "TCPLAB_STATE_DIR";
    static final String NAME = "host-restore.conf";

    /** The run that wrote it: its pid and start time (a pid alone may be reused), and its network namespace. */
    public record Owner(long pid, String started, String netns, String written, String run) {
        /** Whether the process that wrote the file is still running. */
        public boolean alive() {
            return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(s -> s.toString().equals(started)).orElse(false);
        }
    }

    private RestoreFile() {
    }

    public static Path path() {
        String dir = System.getenv(STATE_DIR_ENV);
        return Path.of(dir == null || dir.isBlank() ? "/var/lib/tcplab" : dir).resolve(NAME);
    }

    public static boolean exists() {
        return Files.exists(path());
    }

    /** Records {@code previous} (key → value as the machine has it now); durable before it returns. */
    public static void write(Map<String, String> previous, String netns, String profile) throws IOException {
        write(previous, netns, profile, "");
    }

    /** The same, for the server side of two-machine run {@code run}: that run's processes there may start while it is pending. */
    public static void write(Map<String, String> previous, String netns, String profile, String run) throws IOException {
        Path file = path();
        Files.createDirectories(file.getParent());
        ProcessHandle self = ProcessHandle.current();
        StringBuilder text = new StringBuilder("# tcplab host mode: this machine's values before profile " + profile + " was applied.\n")
                .append("# Restore with `make restore` (or: sysctl -p ").append(file).append(" in that network namespace).\n")
                .append("# pid=").append(self.pid()).append('\n')
                .append("# started=").append(self.info().startInstant().map(Instant::toString).orElse("")).append('\n')
                .append("# netns=").append(netns).append('\n')
                .append("# written=").append(Instant.now()).append('\n')
                .append("# run=").append(run).append('\n');
        previous.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Path tmp = file.resolveSibling(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.UTF_8.encode(text.toString()));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a power loss
        }
    }

    /** The recorded values, in file order. */
    public static Map<String, String> values() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path(), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                values.put(Sysctl.of(line.substring(0, eq).trim()).name(), line.substring(eq + 1).trim());
            }
        }
        return values;
    }

    public static Optional<Owner> owner() throws IOException {
        if (!exists()) {
            return Optional.empty();
        }
        Map<String, String> header = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path(), StandardCharsets.UTF_8)) {
            if (line.startsWith("# ") && line.indexOf('=') > 2 && line.indexOf(' ', 2) < 0) {
                header.put(line.substring(2, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return Optional.of(new Owner(Long.parseLong(header.getOrDefault("pid", "-1")), header.getOrDefault("started", ""),
                header.getOrDefault("netns", ""), header.getOrDefault("written", ""), header.getOrDefault("run", "")));
    }

    public static void delete() throws IOException {
        Files.deleteIfExists(path());
    }
}
