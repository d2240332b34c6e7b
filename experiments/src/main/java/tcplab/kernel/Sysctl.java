package tcplab.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A sysctl name and its file under /proc/sys. Which network namespace a /proc/sys/net file shows is
 * decided by the process that opens it, so reading here reads the caller's own namespace.
 */
public final class Sysctl {
    public static final Path PROC_SYS = Path.of("/proc/sys");

    /**
     * The settings a connection-lifecycle result depends on; read back and recorded with every run
     * (those this kernel lacks are skipped). Profile keys are recorded on top of these.
     */
    public static final List<String> RELEVANT = List.of(
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_tw_reuse",
            "net.ipv4.tcp_tw_reuse_delay",
            "net.ipv4.tcp_timestamps",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_rfc1337",
            "net.ipv4.tcp_max_tw_buckets",
            "net.ipv4.tcp_syn_retries",
            "net.ipv4.tcp_synack_retries",
            "net.ipv4.tcp_syn_linear_timeouts",
            "net.ipv4.tcp_rto_min_us",
            "net.ipv4.tcp_rto_max_ms",
            "net.ipv4.tcp_retries1",
            "net.ipv4.tcp_retries2",
            "net.ipv4.tcp_orphan_retries",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
            "net.ipv4.tcp_abort_on_overflow",
            "net.ipv4.tcp_max_syn_backlog",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_wmem",
            "net.core.somaxconn");

    private final List<String> parts;

    private Sysctl(List<String> parts) {
        this.parts = parts;
    }

    /**
     * Parses a name the way sysctl.d(5) does: dots separate, unless the first separator is a slash,
     * in which case slashes separate and dots belong to the names (as in interface names).
     */
    public static Sysctl of(String name) {
        int dot = name.indexOf('.');
        int slash = name.indexOf('/');
        boolean slashes = slash >= 0 && (dot < 0 || slash < dot);
        String[] split = name.split(slashes ? "/" : "\\.", -1);
        return new Sysctl(List.of(split));
    }

    public static Sysctl ofPath(Path file) {
        Path relative = PROC_SYS.relativize(file);
        String[] split = new String[relative.getNameCount()];
        for (int i = 0; i < split.length; i++) {
            split[i] = relative.getName(i).toString();
        }
        return new Sysctl(Arrays.asList(split));
    }

    /** Dotted name, as sysctl(8) prints it. */
    public String name() {
        return String.join(".", parts);
    }

    /** Path relative to /proc/sys. */
    public String relativePath() {
        return String.join("/", parts);
    }

    public Path file() {
        return PROC_SYS.resolve(relativePath());
    }

    public boolean isNet() {
        return parts.size() > 1 && parts.get(0).equals("net");
    }

    /** Every part is a plain file name: no empty part, no "." or "..", no glob. */
    public boolean isWellFormed() {
        return parts.stream().allMatch(p -> !p.isEmpty() && !p.equals(".") && !p.equals("..")
                && p.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.'))
                && parts.size() > 1;
    }

    public boolean exists() {
        return Files.isRegularFile(file());
    }

    /** Whether the file grants anyone write access; in a network namespace, host-wide keys do not. */
    public boolean writableByMode() throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file());
        return mode.contains(PosixFilePermission.OWNER_WRITE) || mode.contains(PosixFilePermission.GROUP_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /**
     * The current value, whitespace collapsed to single spaces. One large read: the kernel's
     * sysctl handlers answer any read at a non-zero offset with EOF, and Files.readString starts
     * zero-size files with a 1-byte read, which would return only the first character.
     */
    public String read() throws IOException {
        try (InputStream in = Files.newInputStream(file())) {
            byte[] buffer = new byte[1 << 16];
            int n = in.read(buffer);
            return normalize(n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
    }

    /** Writes a value into the caller's namespace, which must be one the lab made ({@link NetnsGuard}). */
    public void write(String value) throws IOException {
        if (!isNet()) {
            throw new IllegalStateException("refusing to write host-wide sysctl " + name());
        }
        NetnsGuard.requireLabNamespace();
        Files.writeString(file(), value, StandardCharsets.UTF_8);
    }

    /**
     * Writes a value into this machine's own network namespace: host mode only, after its restore
     * file is on disk ({@link tcplab.host.HostMode}). Never a host-wide key.
     */
    public void writeOnThisMachine(String value) throws IOException {
        if (!isNet()) {
            throw new IllegalStateException("refusing to write host-wide sysctl " + name());
        }
        Files.writeString(file(), value, StandardCharsets.UTF_8);
    }

    /** Collapses runs of whitespace (the kernel prints tabs) to one space and trims. */
    public static String normalize(String value) {
        return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
    }

    /** Equal as the kernel means them: same number of fields, numbers compared as numbers. */
    public static boolean sameValue(String a, String b) {
        String[] x = normalize(a).split(" ");
        String[] y = normalize(b).split(" ");
        if (x.length != y.length) {
            return false;
        }
        for (int i = 0; i < x.length; i++) {
            if (!x[i].equals(y[i]) && !sameNumber(x[i], y[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameNumber(String a, String b) {
        try {
            return Long.parseLong(a) == Long.parseLong(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sysctl && ((Sysctl) o).parts.equals(parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public String toString() {
        return name();
    }
}
