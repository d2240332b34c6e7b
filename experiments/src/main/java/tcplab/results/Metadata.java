package tcplab.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import tcplab.kernel.Sysctl;
import tcplab.lab.Processes;

/**
 * metadata.json: everything needed to cite and reproduce a run — the machine, the kernel, the JDK,
 * tcplab's version and commit, the command, the profile and plan, how the lab was isolated, and
 * the host's own settings before and after (to show they were not touched).
 */
public final class Metadata {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Metadata() {
    }

    public static ObjectNode read(Path file) throws IOException {
        return (ObjectNode) JSON.readTree(file.toFile());
    }

    /** Writes through a temporary file, so a reader never sees half a file. */
    public static void write(Path file, JsonNode metadata) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), metadata);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** tcplab's version, and the commit of the checkout when git can tell. */
    public static ObjectNode tcplab(Path home) {
        ObjectNode node = JSON.createObjectNode();
        Properties p = new Properties();
        try (InputStream in = Metadata.class.getResourceAsStream("/tcplab-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // version stays unknown
        }
        node.put("version", p.getProperty("version", "unknown"));
        try {
            node.put("commit", Processes.run(List.of("git", "-C", home.toString(), "rev-parse", "HEAD"), null, Duration.ofSeconds(5)).trim());
            String status = Processes.run(List.of("git", "-C", home.toString(), "status", "--porcelain", "--untracked-files=no"),
                    null, Duration.ofSeconds(5));
            node.put("uncommittedChanges", !status.isBlank());
        } catch (Exception e) {
            node.put("commit", "unknown (not a git checkout)");
        }
        return node;
    }

    /** Set by run-matrix in a guest kernel's environment: what the guest is, for the run's metadata and report. */
    public static final String GUEST_ENV = "TCPLAB_GUEST";

    public static ObjectNode machine() {
        ObjectNode node = JSON.createObjectNode();
        node.put("kernelRelease", firstLine("/proc/sys/kernel/osrelease"));
        node.put("kernelVersion", firstLine("/proc/version"));
        node.put("distribution", osRelease());
        node.put("cpuModel", cpuModel());
        node.put("cpus", Runtime.getRuntime().availableProcessors());
        node.put("memory", meminfoTotal());
        node.put("architecture", System.getProperty("os.arch"));
        String guest = System.getenv(GUEST_ENV);
        if (guest != null && !guest.isBlank()) {
            node.put("guest", guest); // a run-matrix guest: which kernel package, under which accelerator
        }
        int hz = tcplab.kernel.KernelConfig.hz();
        if (hz > 0) {
            node.put("kernelHz", hz); // CONFIG_HZ: the timer wheel's granules, which the timeout models use
        }
        return node;
    }

    /**
     * The network device this machine reaches {@code peer} through (a two-machine run's NIC): its
     * name, driver, MTU and link speed, as ip and /sys/class/net say.
     */
    public static ObjectNode nic(String peer) {
        ObjectNode node = JSON.createObjectNode();
        try {
            String route = Processes.run(List.of("ip", "-o", "route", "get", peer), null, Duration.ofSeconds(5)).trim();
            node.put("route", route.replaceAll("\\s*\\\\.*$", ""));
            java.util.regex.Matcher dev = java.util.regex.Pattern.compile("\\bdev (\\S+)").matcher(route);
            if (dev.find()) {
                String name = dev.group(1);
                node.put("device", name);
                // ip answers in this network namespace; /sys/class/net shows the namespace that mounted /sys, which may be another
                String link = Processes.run(List.of("ip", "-d", "-o", "link", "show", "dev", name), null, Duration.ofSeconds(5));
                java.util.regex.Matcher mtu = java.util.regex.Pattern.compile("\\bmtu (\\d+)").matcher(link);
                node.put("mtu", mtu.find() ? mtu.group(1) : "unknown");
                java.util.regex.Matcher kind = java.util.regex.Pattern.compile("\\\\\\s+(veth|bridge|vlan|macvlan|ipvlan|bond|tun|vxlan|wireguard|geneve)\\b")
                        .matcher(link);
                Path sys = Path.of("/sys/class/net", name);
                if (kind.find()) {
                    node.put("driver", kind.group(1) + " (a virtual device)");
                } else {
                    try {
                        node.put("driver", Files.readSymbolicLink(sys.resolve("device/driver")).getFileName().toString());
                        node.put("speedMbps", firstLine(sys.resolve("speed").toString()));
                    } catch (IOException | UnsupportedOperationException unknown) {
                        node.put("driver", "unknown");
                    }
                }
            }
        } catch (Exception e) {
            node.put("error", String.valueOf(e.getMessage()));
        }
        return node;
    }

    public static ObjectNode jdk() {
        ObjectNode node = JSON.createObjectNode();
        node.put("version", System.getProperty("java.version"));
        node.put("vendor", System.getProperty("java.vendor"));
        node.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        node.put("home", System.getProperty("java.home"));
        node.set("socketDefaults", socketDefaults());
        return node;
    }

    /**
     * SO_REUSEADDR as this JDK sets it on sockets nobody configured (C7 sets it explicitly both ways).
     * On Linux, Java turns it on for server sockets; creating unbound sockets touches no network.
     */
    public static ObjectNode socketDefaults() {
        ObjectNode node = JSON.createObjectNode();
        try (ServerSocket ss = new ServerSocket();
             ServerSocketChannel ssc = ServerSocketChannel.open();
             Socket s = new Socket();
             SocketChannel sc = SocketChannel.open()) {
            node.put("ServerSocket.SO_REUSEADDR", ss.getReuseAddress());
            node.put("ServerSocketChannel.SO_REUSEADDR", ssc.getOption(StandardSocketOptions.SO_REUSEADDR));
            node.put("Socket.SO_REUSEADDR", s.getReuseAddress());
            node.put("SocketChannel.SO_REUSEADDR", sc.getOption(StandardSocketOptions.SO_REUSEADDR));
        } catch (IOException e) {
            node.put("error", e.getMessage());
        }
        return node;
    }

    /** The relevant sysctls as the caller's namespace has them (read only). */
    public static Map<String, String> readRelevant() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : Sysctl.RELEVANT) {
            Sysctl key = Sysctl.of(name);
            try {
                if (key.exists()) {
                    values.put(name, key.read());
                }
            } catch (IOException e) {
                values.put(name, "unreadable: " + e.getMessage());
            }
        }
        return values;
    }

    public static ObjectNode toJson(Map<String, String> values) {
        ObjectNode node = JSON.createObjectNode();
        values.forEach(node::put);
        return node;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String file) {
        try {
            return Files.readAllLines(Path.of(file)).get(0).trim();
        } catch (IOException | IndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String osRelease() {
        return field("/etc/os-release", "PRETTY_NAME=").replace("\"", "");
    }

    private static String cpuModel() {
        String line = field("/proc/cpuinfo", "model name");
        return line.contains(":") ? line.substring(line.indexOf(':') + 1).trim() : line;
    }

    private static String meminfoTotal() {
        return field("/proc/meminfo", "MemTotal:").trim();
    }

    /** The rest of the first line of {@code file} that starts with {@code prefix}, or "unknown". */
    private static String field(String file, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
        } catch (IOException ignored) {
            // unknown below
        }
        return "unknown";
    }
}
