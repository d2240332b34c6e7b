package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this machine looks like from outside any lab: its own TCP/IP sysctls, the network namespaces
 * in use by any process, named namespaces, its nft tables and tcplab's temporary files. Tests take
 * a {@link Snapshot} before and compare after: the machine may have state of its own.
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

    /** Names under /run/netns: `ip netns add` makes them, and so do CNI plugins, VPN tools and other test suites. */
    public static Set<String> namedNamespaces() throws IOException {
        return names(Path.of("/run/netns"), n -> true);
    }

    /** This machine's own nft tables ("inet filter", ...); none if nft is not installed. The lab's live in its namespaces. */
    public static Set<String> nftTables() throws IOException, InterruptedException {
        Process nft;
        try {
            nft = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return Set.of();
        }
        String out = new String(nft.getInputStream().readAllBytes());
        if (!nft.waitFor(10, TimeUnit.SECONDS) || nft.exitValue() != 0) {
            return Set.of(); // not root, or no nf_tables: nothing tcplab could have added either
        }
        return out.lines().map(String::strip).filter(l -> l.startsWith("table ")).map(l -> l.substring(6)).collect(Collectors.toSet());
    }

    /** tcplab's and JMH's files in this machine's temporary folder (not the lock files, which stay by design). */
    public static Set<String> tempFiles() throws IOException {
        return names(Path.of(System.getProperty("java.io.tmpdir")),
                n -> (n.startsWith("tcplab") || n.startsWith("jmh")) && !n.endsWith(".lock") && !n.startsWith("tcplab-test-"));
    }

    private static Set<String> names(Path dir, Predicate<String> keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).filter(keep).collect(Collectors.toSet());
        }
    }

    /**
     * What this machine had before a test: the check after it names only what was added or changed
     * since, so namespaces, tables and files that something else made before the test are not
     * tcplab's leak, and a leak of tcplab's still fails. Processes are told apart by the test's
     * marker in their environment instead ({@link #processesWith}).
     */
    public record Snapshot(Map<String, String> sysctls, Set<String> namedNamespaces, Set<String> nftTables, Set<String> tempFiles) {
        public static Snapshot take() throws IOException, InterruptedException {
            return new Snapshot(HostState.sysctls(), HostState.namedNamespaces(), HostState.nftTables(), HostState.tempFiles());
        }

        /** What is on the machine now and was not in this snapshot, one phrase each; empty when nothing was left. */
        public List<String> added() throws IOException, InterruptedException {
            Snapshot now = take();
            List<String> added = new ArrayList<>();
            now.sysctls.forEach((k, v) -> {
                if (!sysctls.containsKey(k)) {
                    added.add("sysctl " + k + " appeared");
                } else if (!v.equals(sysctls.get(k))) {
                    added.add("sysctl " + k + ": '" + sysctls.get(k) + "' -> '" + v + "'");
                }
            });
            sysctls.keySet().stream().filter(k -> !now.sysctls.containsKey(k)).forEach(k -> added.add("sysctl " + k + " disappeared"));
            newIn(now.namedNamespaces, namedNamespaces).forEach(n -> added.add("named namespace " + n + " (/run/netns)"));
            newIn(now.nftTables, nftTables).forEach(t -> added.add("nft table " + t));
            newIn(now.tempFiles, tempFiles).forEach(f -> added.add("temporary file " + f + " in " + System.getProperty("java.io.tmpdir")));
            return added;
        }

        /** Fails naming everything added since the snapshot. */
        public void assertNothingAdded(String what) throws IOException, InterruptedException {
            List<String> added = added();
            assertTrue(added.isEmpty(), what + ": left on this machine: " + added);
        }

        private static List<String> newIn(Set<String> now, Set<String> before) {
            return now.stream().filter(n -> !before.contains(n)).sorted().toList();
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
}
