package tcplab.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tcplab.lab.LabException;
import tcplab.lab.LabHost;
import tcplab.lab.Processes;

/**
 * Two "machines" for a two-machine run, without a second machine: a client network namespace and a
 * server namespace (network and mount) joined by a veth pair, the server running Debian's real
 * {@code sshd} on its address with a throwaway host key, and the client holding a throwaway user
 * key that sshd accepts. tcplab runs in the client namespace and drives the server over real ssh.
 *
 * <pre>
 *   client  198.18.7.1/24  ◄── veth ──►  198.18.7.2/24  server: sshd, its own /var/lib/tcplab and ~/.cache/tcplab/remote (tmpfs)
 * </pre>
 *
 * The server's mount namespace gives it a restore-file folder and a tcplab cache of its own, as a
 * real machine has, so its host mode never meets this machine's; both tmpfs vanish with it. Every
 * process here is tied to the test's JVM, and the addresses exist only inside the two namespaces.
 */
public final class SshMachines implements AutoCloseable {
    public static final String CLIENT_ADDRESS = "198.18.7.1";
    public static final String SERVER_ADDRESS = "198.18.7.2";
    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final LabHost client;
    private final Process server;
    private Process sshd;

    private SshMachines(Path dir, LabHost client, Process server) {
        this.dir = dir;
        this.client = client;
        this.server = server;
    }

    /** The two namespaces, the keys, and sshd listening on the server's address. */
    public static SshMachines start(Path dir) throws Exception {
        Files.createDirectories(dir);
        LabHost client = LabHost.start("client");
        Process server = null;
        try {
            server = new ProcessBuilder("setpriv", "--pdeathsig", "KILL", "--", "unshare", "--net", "--mount", "--propagation", "private", "--",
                    "sh", "-c", "set -e; mkdir -p /var/lib/tcplab \"$HOME/.cache/tcplab/remote\" /run/sshd;"
                    + " mount -t tmpfs tcplab-test-server /var/lib/tcplab; mount -t tmpfs tcplab-test-server \"$HOME/.cache/tcplab/remote\";"
                    + " echo ready; exec cat").redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            if (!"ready".equals(first)) {
                throw new IllegalStateException("the server namespace did not start: " + first);
            }
            SshMachines m = new SshMachines(dir, client, server);
            m.link();
            m.keys();
            m.startSshd();
            return m;
        } catch (Exception e) {
            if (server != null) {
                Processes.killTree(server.toHandle());
            }
            client.close();
            throw e;
        }
    }

    private long serverPid() {
        // setpriv and unshare exec, so the holder's pid is the namespace's
        return server.pid();
    }

    private void link() throws LabException {
        Processes.run(List.of("ip", "link", "add", "tl-ssh-c", "netns", Long.toString(client.pid()), "type", "veth", "peer", "name", "tl-ssh-s",
                "netns", Long.toString(serverPid())), null, Duration.ofSeconds(10));
        client.configureInterfaces("tl-ssh-c", CLIENT_ADDRESS + "/24");
        Processes.run(inServer(List.of("sh", "-c", "ip link set lo up; ip addr add " + SERVER_ADDRESS + "/24 dev tl-ssh-s; ip link set tl-ssh-s up")),
                null, Duration.ofSeconds(10));
    }

    private void keys() throws Exception {
        Processes.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString()), null, Duration.ofSeconds(10));
        Processes.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString()), null, Duration.ofSeconds(10));
        Processes.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("other_key").toString()), null, Duration.ofSeconds(10));
        Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress " + SERVER_ADDRESS,
                "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PidFile none",
                "MaxSessions 100",
                "MaxStartups 100",
                "") + "\n");
        Files.writeString(dir.resolve("ssh_config"), config("user_key", 22));
        Files.writeString(dir.resolve("ssh_config.wrong_key"), config("other_key", 22));
        Files.writeString(dir.resolve("ssh_config.no_server"), config("user_key", 2222));
    }

    private String config(String key, int port) {
        return String.join("\n", "Host *", "  Port " + port, "  IdentityFile " + dir.resolve(key), "  IdentitiesOnly yes",
                "  UserKnownHostsFile " + dir.resolve("known_hosts"), "  StrictHostKeyChecking accept-new", "  LogLevel ERROR", "") + "\n";
    }

    private void startSshd() throws Exception {
        List<String> command = new ArrayList<>(inServer(List.of("setpriv", "--pdeathsig", "KILL", "--", SSHD.toString(), "-D", "-e",
                "-f", dir.resolve("sshd_config").toString())));
        sshd = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.readString(dir.resolve("sshd.log")).contains("Server listening")) {
            if (!sshd.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
            }
            Thread.sleep(20);
        }
    }

    /** A command line that runs inside the server "machine" (its network and mount namespaces), as the test, not over ssh. */
    public List<String> inServer(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/proc/" + serverPid() + "/ns/net", "--mount=/proc/" + serverPid() + "/ns/mnt",
                "--"));
        full.addAll(command);
        return full;
    }

    /** The prefix that runs tcplab in the client "machine". */
    public List<String> inClient() {
        return List.of("nsenter", "--net=/proc/" + client.pid() + "/ns/net", "--");
    }

    public LabHost client() {
        return client;
    }

    public String destination() {
        return "root@" + SERVER_ADDRESS;
    }

    /** The ssh_config the client uses: the accepted key; {@code wrong_key} and {@code no_server} variants for refusals. */
    public Path sshConfig(String variant) {
        return dir.resolve(variant.isEmpty() ? "ssh_config" : "ssh_config." + variant);
    }

    /** A sysctl as the server machine has it now. */
    public String serverSysctl(String key) throws LabException {
        return Processes.run(inServer(List.of("cat", "/proc/sys/" + key.replace('.', '/'))), null, Duration.ofSeconds(5)).trim();
    }

    /** Whether the server machine has a host-mode restore file. */
    public boolean serverRestorePending() throws LabException {
        return Processes.run(inServer(List.of("sh", "-c", "test -e /var/lib/tcplab/host-restore.conf && echo yes || echo no")), null,
                Duration.ofSeconds(5)).trim().equals("yes");
    }

    /** Leaves a restore file on the server as a killed run would: its owner long gone, {@code key} recorded at {@code value}. */
    public void leaveServerRestoreFile(String key, String value) throws Exception {
        String netns = Files.readSymbolicLink(Path.of("/proc/" + serverPid() + "/ns/net")).toString();
        Processes.run(inServer(List.of("sh", "-c", "cat > /var/lib/tcplab/host-restore.conf")), "# tcplab host mode: left by a killed run\n"
                + "# pid=999999999\n# started=never\n# netns=" + netns + "\n# written=2026-12-02T00:00:00Z\n# run=\n" + key + " = " + value + "\n",
                Duration.ofSeconds(5));
    }

    /** nf_tables tables on the server machine, e.g. {@code inet tcplab}. */
    public String serverNftTables() throws LabException {
        return Processes.run(inServer(List.of("nft", "list", "tables")), null, Duration.ofSeconds(5)).trim();
    }

    /** What is in the server's folder of runs (each run deletes its own at the end). */
    public String serverRunFolders() throws LabException {
        return Processes.run(inServer(List.of("sh", "-c", "cd \"$HOME/.cache/tcplab/remote/runs\" 2>/dev/null && find . -mindepth 1 | sort | head -20; true")), null,
                Duration.ofSeconds(5)).trim();
    }

    /** Processes in the server machine other than its holder and sshd's listener: each "pid command". */
    public List<String> serverProcesses() throws IOException {
        String ns = Files.readSymbolicLink(Path.of("/proc/" + serverPid() + "/ns/net")).toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == serverPid() || isListener(pid)) {
                    continue;
                }
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/net")).toString().equals(ns)) {
                        found.add(pid + " " + new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim());
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }

    private boolean isListener(long pid) {
        return sshd != null && sshd.toHandle().pid() == pid;
    }

    /** Waits (bounded) until the server has no process but its listener, and returns what is left. */
    public List<String> serverProcessesAfter(Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> left = serverProcesses();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = serverProcesses();
        }
        return left;
    }

    /** Cuts the link between the machines silently: the client drops every packet to and from the server (nf_tables in the client namespace). */
    public void dropLink() throws LabException {
        Processes.run(List.of("nsenter", "--net=/proc/" + client.pid() + "/ns/net", "--", "nft", "-f", "-"), "add table inet tcplab-test-cut\n"
                + "add chain inet tcplab-test-cut in { type filter hook input priority -10; policy accept; }\n"
                + "add chain inet tcplab-test-cut out { type filter hook output priority -10; policy accept; }\n"
                + "add rule inet tcplab-test-cut in ip saddr " + SERVER_ADDRESS + " drop\n"
                + "add rule inet tcplab-test-cut out ip daddr " + SERVER_ADDRESS + " drop\n", Duration.ofSeconds(10));
    }

    /** The environment a tcplab in the client "machine" runs with: its own restore-file folder. */
    public Map<String, String> clientEnv() {
        return Map.of(tcplab.host.RestoreFile.STATE_DIR_ENV, dir.resolve("client-state").toString());
    }

    public Path clientRestoreFile() {
        return dir.resolve("client-state").resolve("host-restore.conf");
    }

    @Override
    public void close() {
        if (sshd != null) {
            Processes.killTree(sshd.toHandle());
        }
        Processes.killTree(server.toHandle());
        client.close();
    }
}
