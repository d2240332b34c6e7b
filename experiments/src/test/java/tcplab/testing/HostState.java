package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What this machine looks like from outside any lab: its own TCP/IP sysctls, the network namespaces
 * in use by any process, and named namespaces. Tests take a snapshot before and compare after.
 */
public final class HostState {
    private static final List<Path> SYSCTL_DIRS = List.of(Path.of("/proc/sys/net/ipv4"), Path.of("/proc/sys/net/core"),
            Path.of("/proc/sys/kernel"), Path.of("/proc/sys/vm"), Path.of("/proc/sys/user"));

    private HostState() {
    }

    /** Every readable value directly in the directories tcplab could touch (net.ipv4, net.core, kernel, vm, user). */
    public static Map<String, String> sysctls() throws IOException {
        Map<String, String> values = new TreeMap<>();
        for (Path dir : SYSCTL_DIRS) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.toString();
                    if (VOLATILE.stream().anyMatch(name::endsWith)) {
                        continue;
                    }
                    try (InputStream in = Files.newInputStream(f)) {
                        byte[] buffer = new byte[1 << 16];
                        int n = in.read(buffer);
                        values.put(name, n <= 0 ? "" : new String(buffer, 0, n).trim());
                    } catch (IOException unreadable) {
                        // write-only or privileged entries: nothing to compare
                    }
                }
            }
        }
        return values;
    }

    /** Values the kernel changes on its own (random seeds, counters, entropy, pids). */
    private static final List<String> VOLATILE = List.of("random", "ns_last_pid", "boot_id", "uuid", "tainted", "dentry-state",
            "inode-nr", "inode-state", "file-nr", "stat_interval", "nr_", "entropy", "hung_task", "perf_event_max_sample_rate",
            "numa_balancing", "overflowuid", "sched_", "watchdog_thresh", "dirty_", "stat_refresh", "compact_", "drop_caches");

    /** Network namespaces in use: by any process, by an open file descriptor, or bound to a name. */
    public static Set<String> netNamespaces() throws IOException {
        Set<String> namespaces = new HashSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    namespaces.add(Files.readSymbolicLink(proc.resolve("ns/net")).toString());
                    try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                        for (Path fd : fds.toList()) {
                            try {
                                String target = Files.readSymbolicLink(fd).toString();
                                if (target.startsWith("net:[")) {
                                    namespaces.add(target);
                                }
                            } catch (IOException gone) {
                                // the descriptor closed while we looked
                            }
                        }
                    }
                } catch (IOException gone) {
                    // the process exited while we looked
                }
            }
        }
        return namespaces;
    }

    public static Set<String> namedNamespaces() throws IOException {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    /** Pids of processes whose environment carries {@code marker}, i.e. started under one test's run. */
    public static List<Long> processesWith(String marker) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("environ"))).contains(marker);
                } catch (IOException gone) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).filter(pid -> pid != ProcessHandle.current().pid()).toList();
        }
    }

    /** Asserts the host's settings equal {@code before}, naming any that changed. */
    public static void assertSysctlsUnchanged(Map<String, String> before) throws IOException {
        Map<String, String> after = sysctls();
        Set<String> changed = new HashSet<>();
        before.forEach((k, v) -> {
            if (!v.equals(after.get(k))) {
                changed.add(k + ": '" + v + "' -> '" + after.get(k) + "'");
            }
        });
        assertTrue(changed.isEmpty(), "this machine's sysctls changed: " + changed);
        assertEquals(before.keySet(), after.keySet(), "the set of sysctls changed");
    }
}
