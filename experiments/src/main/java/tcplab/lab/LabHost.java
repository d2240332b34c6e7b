package tcplab.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tcplab.kernel.Sysctl;
import tcplab.profile.ProfileEntry;

/**
 * One simulated host: a fresh network namespace, kept alive by a holder process and entered with
 * nsenter. The namespace is anonymous (no name under /run/netns), so it disappears with the last
 * process in it; the lab's pid namespace makes sure that happens even after a SIGKILL.
 */
public final class LabHost implements AutoCloseable {
    static final Duration SHORT = Duration.ofSeconds(10);

    private final String name;
    /** The process holding the namespace open; null for {@link #here()}. */
    private final Process holder;

    private LabHost(String name, Process holder) {
        this.name = name;
        this.holder = holder;
    }

    /**
     * This machine itself, for host mode: commands run as they are, in the network namespace tcplab
     * runs in. Named "client", as the run folder's files name the host the benchmark runs in.
     */
    public static LabHost here() {
        return new LabHost("client", null);
    }

    /**
     * Starts the holder: {@code unshare --net} and then a {@code cat} that lives until the lab
     * closes its input, or dies with the lab. "ready" means unshare() has happened.
     */
    public static LabHost start(String name) throws LabException {
        Process holder;
        try {
            holder = new ProcessBuilder("unshare", "--net", "--", "sh", "-c", "echo ready; exec cat")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LabException("cannot start a network namespace: " + e.getMessage(), "install util-linux (unshare)", e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String first;
        try {
            first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(SHORT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            first = null;
        }
        if (!"ready".equals(first)) {
            Processes.killTree(holder.toHandle());
            throw new LabException("cannot create the " + name + " network namespace: " + (first == null ? "no answer" : first),
                    "run as root, or allow unprivileged user namespaces");
        }
        return new LabHost(name, holder);
    }

    public String name() {
        return name;
    }

    /** Host mode's {@link #here()}: commands run in this machine's own network namespace. */
    public boolean isThisMachine() {
        return holder == null;
    }

    public long pid() {
        return holder == null ? ProcessHandle.current().pid() : holder.pid();
    }

    /** This host's counters and socket tables, readable from outside. */
    public Path procNet() {
        return Path.of("/proc/" + pid() + "/net");
    }

    /** A command line that runs {@code command} inside this host. */
    public List<String> command(List<String> command) {
        if (holder == null) {
            return List.copyOf(command);
        }
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/proc/" + pid() + "/ns/net", "--"));
        full.addAll(command);
        return full;
    }

    /** Runs a short command inside this host and returns its output. */
    public String exec(String... command) throws LabException {
        return Processes.run(command(List.of(command)), null, SHORT);
    }

    /** Brings up loopback and gives {@code device} its address. */
    public void configureInterfaces(String device, String addressWithPrefix) throws LabException {
        exec("sh", "-c", "set -e; ip link set lo up; ip addr add \"$1\" dev \"$2\"; ip link set \"$2\" up",
                "sh", addressWithPrefix, device);
    }

    /**
     * Applies profile entries in file order, stopping at the first failure. Entries were checked in
     * a throwaway namespace first; a failure here still leaves nothing behind, because the whole
     * host is discarded with the configuration that failed.
     */
    public void applySysctls(List<ProfileEntry> entries) throws LabException {
        if (entries.isEmpty()) {
            return;
        }
        if (holder == null) {
            throw new IllegalStateException("refusing to apply sysctls to this machine from the lab; host mode applies them with a restore file");
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "while [ $# -gt 1 ]; do printf '%s' \"$2\" > \"/proc/sys/$1\" || { echo \"cannot set $1 = $2\" >&2; exit 3; }; shift 2; done",
                "sh"));
        for (ProfileEntry entry : entries) {
            if (!entry.key().isNet()) {
                throw new IllegalStateException("refusing to apply host-wide " + entry.key() + " in " + name);
            }
            command.add(entry.key().relativePath());
            command.add(entry.value());
        }
        exec(command.toArray(String[]::new));
    }

    /** Reads sysctls back as this host's kernel has them; keys this kernel lacks are left out. */
    public Map<String, String> readSysctls(Collection<Sysctl> keys) throws LabException {
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "for k; do [ -r \"/proc/sys/$k\" ] && printf '%s\\t%s\\n' \"$k\" \"$(tr '\\t' ' ' < \"/proc/sys/$k\")\"; done; true",
                "sh"));
        keys.forEach(k -> command.add(k.relativePath()));
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : exec(command.toArray(String[]::new)).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                values.put(Sysctl.of(line.substring(0, tab)).name(), Sysctl.normalize(line.substring(tab + 1)));
            }
        }
        return values;
    }

    /** Ends the holder; processes still inside end with the lab's pid namespace at the latest. */
    @Override
    public void close() {
        if (holder == null) {
            return;
        }
        try {
            holder.getOutputStream().close();
        } catch (IOException ignored) {
            // the holder is gone already
        }
        Processes.waitOrKill(holder, Duration.ofSeconds(2));
    }
}
