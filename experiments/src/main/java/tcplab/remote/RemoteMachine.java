package tcplab.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tcplab.lab.JavaCommand;
import tcplab.lab.LabException;
import tcplab.lab.Processes;
import tcplab.lab.Ssh;
import tcplab.results.Metadata;

/**
 * The server machine of a two-machine run, seen from this one: one ssh control connection, what the
 * machine is and has (checked before anything changes), the same tcplab installed there, and the
 * session that applies the profile there and restores it (see {@code tcplab.host.ServerSession}).
 */
public final class RemoteMachine implements AutoCloseable {
    /** The Java release tcplab is built for; the other machine needs at least this one. */
    static final int JAVA = 17;
    /** What the machine must have besides Java, each with its Debian package. */
    static final Map<String, String> COMMANDS = new LinkedHashMap<>();
    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final Duration SESSION_START = Duration.ofSeconds(60);

    static {
        COMMANDS.put("setpriv", "util-linux");
        COMMANDS.put("unshare", "util-linux");
        COMMANDS.put("nsenter", "util-linux");
        COMMANDS.put("ip", "iproute2");
        COMMANDS.put("tar", "tar");
        COMMANDS.put("sha256sum", "coreutils");
    }

    /** What one round trip learns about the other machine before anything is copied or changed. */
    record Probe(int uid, String home, String javaSpec, String kernel, String clientAddress, int clientPort, String serverAddress,
                 int serverPort, boolean sysctlsReadable, List<String> commands) {
        /** {@code java.specification.version}: 17, 21, or 1.8 for Java 8. */
        int javaMajor() {
            try {
                return javaSpec.startsWith("1.") ? Integer.parseInt(javaSpec.substring(2)) : Integer.parseInt(javaSpec);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    private final Ssh ssh;
    private final Path controlDir;
    private final Probe probe;
    private final String home;
    private String classPath;
    private Process session;
    private final BlockingQueue<String> sessionMessages = new LinkedBlockingQueue<>();
    private Thread heartbeat;
    private volatile boolean ended;

    private final Thread hook = new Thread(this::close, "tcplab-remote-close");
    private boolean closed;

    private RemoteMachine(Ssh ssh, Path controlDir, Probe probe) {
        this.ssh = ssh;
        this.controlDir = controlDir;
        this.probe = probe;
        this.home = probe.home();
        // Ctrl-C or SIGTERM outside the lab's own handling (while checking, copying, starting the session): end it all in order
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Control folders of earlier runs that were killed (SIGKILL leaves them): those whose socket no
     * longer answers, and staging folders of copies cut short, older than a minute (a younger one may be
     * another run's, starting).
     */
    static void sweepStale() {
        try (var dirs = Files.list(Path.of("/tmp"))) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("tcplab-ssh-")
                    || d.getFileName().toString().startsWith("tcplab-bundle-")).toList()) {
                try {
                    if (Files.getLastModifiedTime(d).toInstant().isAfter(java.time.Instant.now().minusSeconds(60)) || answers(d.resolve("control"))) {
                        continue;
                    }
                    deleteTree(d);
                } catch (IOException gone) {
                    // another run's clean-up got there first
                }
            }
        } catch (IOException ignored) {
            // /tmp unreadable: nothing to sweep
        }
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            return channel.connect(java.net.UnixDomainSocketAddress.of(socket));
        } catch (IOException dead) {
            return false;
        }
    }

    /**
     * Connects and checks the machine: reachable with a key, root, Java 17 or newer, the commands
     * tcplab runs there, sysctls readable. Each failure is one line with its fix; nothing changed.
     */
    public static RemoteMachine connect(String destination, Path sshConfig) throws LabException {
        Ssh.checkDestination(destination);
        if (sshConfig != null && !Files.isReadable(sshConfig)) {
            throw new IllegalArgumentException("--ssh-config " + sshConfig + " cannot be read (fix: a readable ssh_config file, or leave it out"
                    + " for ~/.ssh/config)");
        }
        sweepStale();
        Path dir;
        try {
            // the control socket's path must stay short (a Unix socket's is at most 107 bytes) and private
            dir = Files.createTempDirectory(Path.of("/tmp"), "tcplab-ssh-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new LabException("cannot make a folder for the ssh control socket in /tmp: " + e.getMessage(), "check /tmp", e);
        }
        Ssh ssh = null;
        try {
            ssh = Ssh.open(destination, sshConfig, dir);
            Probe probe = parseProbe(ssh.run(PROBE, null, SHORT));
            check(destination, probe);
            checkDirect(destination, probe, localAddresses());
            return new RemoteMachine(ssh, dir, probe);
        } catch (LabException | RuntimeException e) {
            if (ssh != null) {
                ssh.close();
            }
            deleteTree(dir);
            throw e;
        }
    }

    /** One shell script, one round trip: key=value lines. */
    static final String PROBE = "echo \"uid=$(id -u)\"; echo \"home=$HOME\"; echo \"conn=$SSH_CONNECTION\"; "
            + "echo \"kernel=$(cat /proc/sys/kernel/osrelease 2>/dev/null)\"; "
            + "if command -v java >/dev/null 2>&1; then echo \"java=$(java -XshowSettings:properties -version 2>&1 | "
            + "sed -n 's/^ *java.specification.version = //p')\"; else echo java=; fi; "
            + "if [ -r /proc/sys/net/ipv4/tcp_syn_retries ]; then echo sysctls=yes; else echo sysctls=no; fi; "
            + "for c in " + String.join(" ", COMMANDS.keySet()) + " nft; do command -v $c >/dev/null 2>&1 && echo \"has=$c\"; done; true";

    static Probe parseProbe(String output) {
        Map<String, String> v = new LinkedHashMap<>();
        List<String> has = new ArrayList<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            if (key.equals("has")) {
                has.add(value);
            } else {
                v.put(key, value);
            }
        }
        String[] conn = v.getOrDefault("conn", "").split("\\s+");
        int uid;
        try {
            uid = Integer.parseInt(v.getOrDefault("uid", "-1"));
        } catch (NumberFormatException e) {
            uid = -1;
        }
        return new Probe(uid, v.getOrDefault("home", ""), v.getOrDefault("java", ""), v.getOrDefault("kernel", ""),
                conn.length == 4 ? conn[0] : "", conn.length == 4 ? Integer.parseInt(conn[1]) : 0, conn.length == 4 ? conn[2] : "",
                conn.length == 4 ? Integer.parseInt(conn[3]) : 0, "yes".equals(v.get("sysctls")), List.copyOf(has));
    }

    /** This machine's addresses, in the network namespace tcplab runs in. */
    static java.util.Set<String> localAddresses() {
        java.util.Set<String> all = new java.util.HashSet<>();
        try {
            for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                    all.add(a.getHostAddress().replaceFirst("%.*$", ""));
                }
            }
        } catch (java.net.SocketException e) {
            // none known: the check below then refuses, saying so
        }
        return all;
    }

    /**
     * The server must see this machine's own address: through a jump host or NAT, the address its ssh
     * arrives on may be another machine's as seen from here, and the benchmarks would go there.
     */
    static void checkDirect(String destination, Probe p, java.util.Set<String> local) throws LabException {
        if (!local.contains(p.clientAddress())) {
            throw new LabException(destination + " sees this machine as " + p.clientAddress() + ", which is not one of its addresses: ssh goes"
                    + " through another machine (a jump host, a proxy or NAT), and the benchmarks need a direct path",
                    "--remote a machine this one reaches directly, without ProxyJump/ProxyCommand or NAT between them");
        }
    }

    /** The refusals, in the order a user would fix them. */
    static void check(String destination, Probe p) throws LabException {
        if (p.javaSpec().isEmpty()) {
            throw new LabException("no java on " + destination + "'s PATH; tcplab's server side runs there",
                    "apt-get install openjdk-" + JAVA + "-jre-headless on " + destination);
        }
        if (p.javaMajor() < JAVA) {
            throw new LabException(destination + " has Java " + p.javaSpec() + "; tcplab needs " + JAVA + " or newer there",
                    "apt-get install openjdk-" + JAVA + "-jre-headless on " + destination + " (its java must come first on PATH)");
        }
        if (p.uid() != 0) {
            throw new LabException(destination + " logs you in as uid " + p.uid() + "; the server side applies the profile to that machine,"
                    + " which needs root", "--remote root@HOST (REMOTE=root@HOST) with a key root accepts there");
        }
        for (Map.Entry<String, String> c : COMMANDS.entrySet()) {
            if (!p.commands().contains(c.getKey())) {
                throw new LabException("`" + c.getKey() + "` is missing on " + destination, "apt-get install " + c.getValue() + " on " + destination);
            }
        }
        if (!p.sysctlsReadable() || p.kernel().isEmpty()) {
            throw new LabException("cannot read " + destination + "'s TCP sysctls (/proc/sys/net/ipv4/tcp_syn_retries)",
                    "the server must be a Linux machine with /proc/sys mounted");
        }
        if (p.serverAddress().isEmpty() || p.home().isEmpty()) {
            throw new LabException("ssh on " + destination + " does not say which address it was reached at ($SSH_CONNECTION)",
                    "an OpenSSH server on " + destination);
        }
    }

    public String destination() {
        return ssh.destination();
    }

    /** Whether the machine has {@code command} on its PATH (the probe asks for tcplab's own and nft). */
    public boolean has(String command) {
        return probe.commands().contains(command);
    }

    public Ssh ssh() {
        return ssh;
    }

    /** The address this machine reaches the server at (as ssh arrived there). */
    public String serverAddress() {
        return probe.serverAddress();
    }

    /** This machine's address on the path, as the server sees it. */
    public String clientAddress() {
        return probe.clientAddress();
    }

    public String kernel() {
        return probe.kernel();
    }

    /** tcplab's class path there, once {@link #install} has run. */
    public String classPath() {
        return classPath;
    }

    /**
     * Makes sure the same tcplab runs there: this JVM's class path (tcplab.jar, or the build's folders
     * and jars in a test), copied once into {@code ~/.cache/tcplab/remote/DIGEST/} and checked file by
     * file against the digests here (sha256sum -c), then asked its version. A copy that does not
     * check, or a different version, is refused.
     */
    public void install(String version) throws LabException {
        // the copy's digests prove the same bytes; its version, that the same build answers
        Bundle bundle = Bundle.of(System.getProperty("java.class.path"));
        String dir = home + "/.cache/tcplab/remote/" + bundle.digest().substring(0, 16);
        String check = "cd \"$1\" 2>/dev/null && sha256sum -c --quiet --status MANIFEST.sha256";
        boolean there;
        try {
            ssh.run(check, null, Duration.ofMinutes(1).plus(SHORT), dir);
            there = true;
        } catch (LabException absent) {
            there = false;
        }
        if (!there) {
            bundle.upload(ssh, dir);
        }
        classPath = bundle.classPath(dir);
        String there2 = infoBefore().path("tcplabVersion").asText("unknown");
        if (!there2.equals(version)) {
            throw new LabException(destination() + " runs tcplab " + there2 + ", this machine " + version,
                    "delete " + dir + " on " + destination() + "; the next run copies it again");
        }
    }

    private ObjectNode before;
    private ObjectNode rttBefore;

    /** {@link #info} as it was when first asked, before anything changed there: the checks and the metadata share one read. */
    public ObjectNode infoBefore() throws LabException {
        if (before == null) {
            before = info();
        }
        return before;
    }

    /** {@link #rtt} as first measured: the reach check and the metadata share one measurement. */
    public ObjectNode rttBefore() {
        if (rttBefore == null) {
            rttBefore = rtt();
        }
        return rttBefore;
    }

    /** This machine's metadata and settings as tcplab there reads them (machine, jdk, nic, sysctls, root, restorePending). */
    public ObjectNode info() throws LabException {
        String json = ssh.run("exec java " + String.join(" ", JavaCommand.helperOptions()) + " -cp \"$1\" tcplab.cli.Main remote info --peer \"$2\"",
                null, SHORT, classPath, probe.clientAddress());
        try {
            return (ObjectNode) Metadata.JSON.readTree(json);
        } catch (IOException | ClassCastException e) {
            throw new LabException("tcplab on " + destination() + " printed what this one cannot read: " + e.getMessage(), null);
        }
    }

    /** How many handshakes {@link #rtt} measures. */
    static final int HANDSHAKES = 10;
    private static final java.util.regex.Pattern SS_RTT = java.util.regex.Pattern.compile("\\brtt:([0-9.]+)/");

    /**
     * The path's round trip, as this machine's kernel measured it: {@value #HANDSHAKES} connections to
     * the server's ssh port, held open while {@code ss -ti} reads each one's RTT. On a fresh connection
     * that is the kernel's one sample, SYN sent to SYN-ACK received, in microseconds: neither side
     * delays those (the smoothed RTT of the idle ssh connection itself would include the peer's delayed
     * ACKs), and no JVM time is in it. Each is then closed with a reset, so no TIME_WAIT is left. The
     * median, fastest and slowest are recorded; {@link #check}ed before, it also proves that this
     * machine reaches the server's address directly.
     */
    public ObjectNode rtt() {
        ObjectNode node = Metadata.JSON.createObjectNode();
        java.net.InetSocketAddress to = new java.net.InetSocketAddress(probe.serverAddress(), probe.serverPort());
        List<java.net.Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < HANDSHAKES; i++) {
                java.net.Socket s = new java.net.Socket();
                open.add(s);
                s.setSoLinger(true, 0);
                s.connect(to, 2000);
            }
            String table = Processes.run(List.of("ss", "-tinH", "dst", probe.serverAddress(), "dport", "=", ":" + probe.serverPort()), null,
                    Duration.ofSeconds(5));
            java.util.Set<String> ours = new java.util.HashSet<>();
            open.forEach(s -> ours.add(":" + s.getLocalPort() + " "));
            List<Double> ms = new ArrayList<>();
            String[] lines = table.split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                String line = lines[i] + " ";
                if (ours.stream().anyMatch(line::contains)) {
                    java.util.regex.Matcher m = SS_RTT.matcher(lines[i + 1]);
                    if (m.find()) {
                        ms.add(Double.parseDouble(m.group(1)));
                    }
                }
            }
            if (ms.isEmpty()) {
                node.put("error", "ss showed no RTT for the " + HANDSHAKES + " connections to " + to);
                return node;
            }
            List<Double> sorted = ms.stream().sorted().toList();
            node.put("rttMs", sorted.get(sorted.size() / 2));
            node.put("minMs", sorted.get(0));
            node.put("maxMs", sorted.get(sorted.size() - 1));
            node.put("handshakes", sorted.size());
            node.put("source", "the kernel's RTT sample (ss -ti) of " + sorted.size() + " fresh connections from " + probe.clientAddress()
                    + " to " + probe.serverAddress() + ":" + probe.serverPort() + " (its ssh port): SYN to SYN-ACK, median");
        } catch (IOException | LabException e) {
            node.put("error", "cannot open a connection to " + to + ": " + e.getMessage());
        } finally {
            for (java.net.Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // reset or never connected
                }
            }
        }
        return node;
    }

    /** Where the run's files live there while it runs. */
    public String runDir(String runId) {
        return home + "/.cache/tcplab/remote/runs/" + runId;
    }

    /**
     * Starts the session that applies {@code profile} there (its restore file written there first) and
     * keeps it alive with a heartbeat; returns once the profile is in effect there. Its output goes to
     * {@code log}.
     */
    public void startSession(Path profile, String runId, Duration lifetime, Path log) throws LabException {
        String sessionRunDir = runDir(runId);
        ssh.copy(profile, sessionRunDir + "/profile.conf");
        ssh.run("mkdir -p \"$1/raw\"", null, SHORT, sessionRunDir);
        List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "TERM", "--", "java"));
        command.addAll(JavaCommand.helperOptions());
        command.addAll(List.of("-cp", classPath, "tcplab.cli.Main", "remote", "session", "--profile", sessionRunDir + "/profile.conf",
                "--run", runId, "--run-dir", sessionRunDir, "--lifetime", lifetime.toSeconds() + "s"));
        try {
            session = new ProcessBuilder(ssh.detachedCommand(command)).redirectErrorStream(true).start();
            Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
            Thread pump = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(session.getInputStream(), StandardCharsets.UTF_8)); out) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write(line + "\n");
                        out.flush();
                        if (line.startsWith("@")) {
                            sessionMessages.add(line.substring(1));
                        } else if (line.startsWith("tcplab: ")) {
                            System.out.println("tcplab: " + destination() + ": " + line.substring(8));
                        }
                    }
                } catch (IOException gone) {
                    // the session ended; alive() says so
                }
                sessionMessages.add("<eof>");
            }, "tcplab-remote-session");
            pump.setDaemon(true);
            pump.start();
        } catch (IOException e) {
            throw new LabException("cannot start the session on " + destination() + ": " + e.getMessage(), null, e);
        }
        String first = awaitMessage(SESSION_START);
        if (first == null || !first.startsWith("applied")) {
            Processes.killTree(session.toHandle());
            ended = true; // nothing to end: close() must not report a lost session too
            String why = first == null ? "no answer within " + SESSION_START.toSeconds() + " s"
                    : first.equals("<eof>") ? "it exited" : first.replaceFirst("^error ", "");
            throw new LabException("the profile could not be applied on " + destination() + ": " + why
                    + " (its session's output is in " + log.getFileName() + ")", "make check-profile PROFILE=... on " + destination()
                    + "; nothing was left changed there");
        }
        OutputStream in = session.getOutputStream();
        heartbeat = new Thread(() -> {
            try {
                while (!ended && session.isAlive()) {
                    in.write("beat\n".getBytes(StandardCharsets.UTF_8));
                    in.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException gone) {
                // the session or the link is gone; it restores by itself
            }
        }, "tcplab-remote-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private String awaitMessage(Duration bound) {
        try {
            return sessionMessages.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether the session still holds the profile there, over a live link. */
    public boolean sessionAlive() {
        return session != null && session.isAlive() && ssh.alive();
    }

    /**
     * Ends the session: it restores the machine's settings, ends the run's processes there and
     * removes its firewall table and folder. Returns null when it said so, or why it could not.
     */
    public String endSession() {
        if (session == null || ended) {
            return null;
        }
        ended = true;
        if (!session.isAlive()) {
            return "the session on " + destination() + " ended before the run did (the link or the machine went); it restores by itself"
                    + " when its heartbeat stops: check with make restore REMOTE=" + destination();
        }
        try {
            OutputStream in = session.getOutputStream();
            in.write("end\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            return "cannot reach the session on " + destination() + ": " + e.getMessage() + "; it restores by itself when its heartbeat stops";
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String m = awaitMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m == null || m.equals("<eof>")) {
                break;
            }
            if (m.equals("restored")) {
                Processes.waitOrKill(session, Duration.ofSeconds(5));
                return null;
            }
            if (m.startsWith("error")) {
                return destination() + ": " + m.substring(5).trim() + " (fix: make restore REMOTE=" + destination() + ")";
            }
        }
        return "the session on " + destination() + " did not say it restored (fix: make restore REMOTE=" + destination() + ")";
    }

    /**
     * {@code make restore REMOTE=...}: what a killed run left there, put back by tcplab there, then
     * whatever else it left (processes, the nft table, its folder); returns their output.
     */
    public String restore() throws LabException {
        String java = "exec java " + String.join(" ", JavaCommand.helperOptions()) + " -cp \"$1\" tcplab.cli.Main ";
        return ssh.run(java + "restore", null, SHORT, classPath) + ssh.run(java + "remote clean --runs \"$2\"", null, SHORT, classPath,
                home + "/.cache/tcplab/remote/runs");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // this is the hook
        }
        if (session != null && !ended) {
            String problem = endSession();
            if (problem != null) {
                System.err.println("tcplab: " + problem);
            }
        }
        if (session != null) {
            Processes.killTree(session.toHandle());
        }
        ssh.close();
        deleteTree(controlDir);
    }

    /** Deletes a temporary folder of this run's; one that cannot go is left to /tmp's own clean-up. */
    static void deleteTree(Path dir) {
        try {
            tcplab.results.RunFolder.deleteTree(dir);
        } catch (IOException ignored) {
            // as said
        }
    }
}
