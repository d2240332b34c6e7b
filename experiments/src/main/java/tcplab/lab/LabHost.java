package tcplab.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    /** The process holding the namespace open; null for {@link #here()} and {@link #remote}. */
    private final Process holder;
    /** The other machine of a two-machine run; null for the hosts on this one. */
    private final Remote remote;

    /**
     * Another machine reached over {@link Ssh}: commands run there as they are, in its own network
     * namespace, whose settings a remote host-mode session applied and restores. Its files of the
     * run live in {@code runDir} there, the mirror of {@code localRunDir}; its /proc/net is copied
     * here for each read, into {@code procNetCopy}.
     */
    record Remote(Ssh ssh, String run, String address, String peer, String classPath, Path localRunDir, String runDir, Path procNetCopy) {
    }

    private LabHost(String name, Process holder, Remote remote) {
        this.name = name;
        this.holder = holder;
        this.remote = remote;
    }

    /**
     * This machine itself, for host mode: commands run as they are, in the network namespace tcplab
     * runs in. Named "client", as the run folder's files name the host the benchmark runs in.
     */
    public static LabHost here() {
        return new LabHost("client", null, null);
    }

    /** The server machine of a two-machine run (see {@link Remote}). */
    public static LabHost remote(String name, Ssh ssh, String run, String address, String peer, String classPath, Path localRunDir,
                                 String remoteRunDir, Path procNetCopy) {
        return new LabHost(name, null, new Remote(ssh.forRun(run), run, address, peer, classPath, localRunDir, remoteRunDir, procNetCopy));
    }

    /** tcplab's own entry point with these arguments, as this host starts it: its own java and its copy of tcplab. */
    public List<String> tcplab(List<String> args) {
        return tcplab(List.of(), args);
    }

    /** The same, with JVM options on top of the helpers'. */
    public List<String> tcplab(List<String> options, List<String> args) {
        if (remote == null) {
            return JavaCommand.tcplab(options, args);
        }
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(JavaCommand.HELPER_OPTIONS);
        command.addAll(options);
        command.addAll(List.of("-cp", remote.classPath(), "tcplab.cli.Main"));
        command.addAll(args);
        return command;
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
        return new LabHost(name, holder, null);
    }

    public String name() {
        return name;
    }

    /** Host mode's {@link #here()}: commands run in this machine's own network namespace. */
    public boolean isThisMachine() {
        return holder == null && remote == null;
    }

    /** Whether commands still reach this host: the ssh link to another machine is up (always, for a host on this machine). */
    public boolean reachable() {
        return remote == null || remote.ssh().check();
    }

    /** The other machine of a two-machine run. */
    public boolean isRemote() {
        return remote != null;
    }

    /** Where a file of the run folder is on this host: the same path here, its mirror in the run's folder on another machine. */
    public String path(Path local) {
        if (remote == null) {
            return local.toString();
        }
        return remote.runDir() + "/" + remote.localRunDir().toAbsolutePath().relativize(local.toAbsolutePath());
    }

    /**
     * Copies what processes on the other machine wrote for configuration {@code id} into the run
     * folder here (its raw/ID.* files); nothing to do for a host on this machine.
     */
    public void collect(String id, boolean settle) throws LabException {
        if (remote == null) {
            return;
        }
        Path raw = remote.localRunDir().resolve("raw");
        // with settle: first wait (up to 5 s) until no process of the run is left there, so every file is complete
        String wait = "i=0; while [ $i -lt 50 ] && grep -lsxz \"$3\" /proc/[0-9]*/environ >/dev/null; do i=$((i+1)); sleep 0.1; done; ";
        String script = (settle ? wait : "") + "cd \"$1\" 2>/dev/null || exit 0; for f in \"$2\".*; do [ -f \"$f\" ] && printf '%s\\0' \"$f\"; done | "
                + "xargs -0r tar -cf - 2>/dev/null; true";
        List<String> command = remote.ssh().plain().command(List.of("sh", "-c", script, "sh", remote.runDir() + "/raw", id,
                Ssh.RUN_ENV + "=" + remote.run()));
        try {
            Process tar = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Process untar = new ProcessBuilder("tar", "-xf", "-", "-C", raw.toString()).redirectErrorStream(true).start();
            try (Processes.Deadline bound = Processes.deadline(Duration.ofSeconds(60), tar, untar);
                 var from = tar.getInputStream(); var to = untar.getOutputStream()) {
                from.transferTo(to);
            }
            String said = new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int sent = Processes.waitOrKill(tar, SHORT);
            int unpacked = Processes.waitOrKill(untar, SHORT);
            if (sent != 0 || (unpacked != 0 && !said.contains("does not look like a tar archive"))) {
                throw new LabException("cannot copy configuration " + id + "'s files from " + remote.ssh().destination() + ": " + said, null);
            }
        } catch (IOException e) {
            throw new LabException("cannot copy configuration " + id + "'s files from " + remote.ssh().destination() + ": " + e.getMessage(), null, e);
        }
    }

    public long pid() {
        if (remote != null) {
            throw new IllegalStateException("the " + name + " host is another machine: it has no process here");
        }
        return holder == null ? ProcessHandle.current().pid() : holder.pid();
    }

    /**
     * This host's counters and socket tables, readable from outside. For another machine, a copy of
     * its /proc/net files made now, in one round trip; when it cannot be made the copy is emptied, so
     * a read fails (NoSuchFileException) instead of returning old numbers.
     */
    public Path procNet() {
        if (remote == null) {
            return Path.of("/proc/" + pid() + "/net");
        }
        Path dir = remote.procNetCopy();
        try {
            Files.createDirectories(dir);
            String all = remote.ssh().plain().run("cd /proc/net && for f in " + String.join(" ", PROC_NET_FILES)
                    + "; do echo \"==tcplab== $f\"; cat $f 2>/dev/null; done", null, SHORT);
            for (String file : PROC_NET_FILES) {
                Files.deleteIfExists(dir.resolve(file));
            }
            String current = null;
            StringBuilder text = new StringBuilder();
            for (String line : (all + "\n==tcplab== end").split("\n")) {
                if (line.startsWith("==tcplab== ")) {
                    if (current != null) {
                        Path tmp = dir.resolve(current + ".tmp");
                        Files.writeString(tmp, text);
                        Files.move(tmp, dir.resolve(current), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    }
                    current = line.substring(11).trim();
                    text.setLength(0);
                } else {
                    text.append(line).append('\n');
                }
            }
        } catch (LabException | IOException e) {
            for (String file : PROC_NET_FILES) {
                try {
                    Files.deleteIfExists(dir.resolve(file));
                } catch (IOException ignored) {
                    // the read that follows fails either way
                }
            }
        }
        return dir;
    }

    /** The /proc/net files tcplab reads: counters, the socket summary and the socket tables. */
    private static final List<String> PROC_NET_FILES = List.of("netstat", "snmp", "sockstat", "tcp", "tcp6");

    /** The address the other hosts reach this one at: a remote machine's, as its ssh connection arrives. */
    public String address() {
        return remote == null ? null : remote.address();
    }

    /** Another machine's view of the client: the address its traffic comes from (null for a host on this machine). */
    public String peerAddress() {
        return remote == null ? null : remote.peer();
    }

    /** A command line that runs {@code command} inside this host. */
    public List<String> command(List<String> command) {
        if (remote != null) {
            return remote.ssh().command(command);
        }
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
            throw new IllegalStateException("refusing to apply sysctls to " + (remote != null ? "another machine" : "this machine")
                    + " from the lab; host mode applies them with a restore file");
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
