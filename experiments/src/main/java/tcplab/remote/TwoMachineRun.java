package tcplab.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tcplab.host.HostMode;
import tcplab.host.RestoreFile;
import tcplab.host.ServerSession;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.plan.Configuration;
import tcplab.plan.ExperimentConfiguration;
import tcplab.profile.Profile;
import tcplab.results.Metadata;
import tcplab.results.RunFolder;

/**
 * {@code tcplab run --remote HOST}: this machine the client, HOST the server. The order keeps both
 * machines safe:
 * <ol>
 *   <li>HOST is checked (ssh, root, Java, commands, sysctls, no restore pending) and the same tcplab
 *       copied there, before the run folder exists;</li>
 *   <li>the session there applies the profile, its restore file written there first, and lives on
 *       this side's heartbeat;</li>
 *   <li>host mode applies the profile here, its restore file written here first;</li>
 *   <li>the lab runs, with the server side of each configuration on HOST over the same ssh connection;</li>
 *   <li>here is restored, then HOST: on every exit path of this JVM, and by HOST itself when the link goes.</li>
 * </ol>
 */
public final class TwoMachineRun {
    /** The exit code of a run whose link to the other machine was lost; its status is {@code interrupted}. */
    public static final int LINK_LOST = 4;

    private TwoMachineRun() {
    }

    /** Connects to the server and checks it, with the same tcplab installed; nothing has changed on either machine yet. */
    public static RemoteMachine connect(String destination, Path sshConfig, String version, List<Configuration> configurations)
            throws LabException {
        System.out.println("tcplab: connecting to " + destination + " over ssh");
        RemoteMachine server = RemoteMachine.connect(destination, sshConfig);
        try {
            for (Configuration c : configurations) {
                if (c instanceof ExperimentConfiguration e && c.sysctls().isEmpty() && e.experiment().oneMachineOnly() == null) {
                    // what runs on the server: its faults (nft); captures would be the client's, and there are none on real machines
                    for (var command : e.experiment().commands().entrySet()) {
                        if (tcplab.lab.Firewall.NEEDS.containsKey(command.getKey()) && !server.has(command.getKey())) {
                            throw new LabException("`" + command.getKey() + "` is missing on " + destination + "; " + e.experiment().name()
                                    + " runs it there", "apt-get install " + command.getValue() + " on " + destination + ", or a plan without "
                                    + e.experiment().name());
                        }
                    }
                }
            }
            server.install(version);
            if (server.rttBefore().has("error")) {
                throw new LabException("this machine cannot open a TCP connection to " + server.serverAddress() + ", where " + destination
                        + "'s ssh arrives (" + server.rttBefore().path("error").asText() + "); the benchmarks would not reach it either",
                        "--remote a machine this one reaches directly, not through a jump host");
            }
            ObjectNode info = server.infoBefore();
            if (info.path("restoreOwnerAlive").asBoolean()) {
                throw new LabException("another tcplab run has changed " + destination + "'s settings and is still running there",
                        "wait for it to finish; it restores them");
            }
            if (info.path("restorePending").asBoolean()) {
                throw new LabException(destination + " has settings a killed tcplab run left changed (its restore file)",
                        "make restore REMOTE=" + destination);
            }
            System.out.println("tcplab: " + destination + " is Linux " + server.kernel() + ", reached at " + server.serverAddress() + " from "
                    + server.clientAddress() + "; tcplab is installed there");
            return server;
        } catch (LabException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The run's metadata: both machines, the path and its RTT, before anything changes. */
    public static void describe(ObjectNode metadata, RemoteMachine server) throws LabException {
        ObjectNode lab = (ObjectNode) metadata.get("lab");
        lab.put("mode", "two machines");
        lab.put("isolation", "none: two real machines, this one the client and " + server.destination() + " the server, the profile applied"
                + " to both (host mode) and restored; the same machines serve every configuration, so one configuration's sockets (TIME_WAIT)"
                + " may still be there in the next");
        lab.put("clientAddress", server.clientAddress());
        lab.put("serverAddress", server.serverAddress());
        lab.remove("prefixLength");
        ObjectNode remote = metadata.putObject("remote");
        remote.put("destination", server.destination());
        ObjectNode info = server.infoBefore();
        remote.set("machine", info.path("machine"));
        remote.set("jdk", info.path("jdk"));
        remote.set("nic", info.path("nic"));
        remote.set("sysctlsBefore", info.path("sysctls"));
        remote.set("rttAtStart", server.rttBefore());
        ((ObjectNode) metadata.get("machine")).set("nic", Metadata.nic(server.serverAddress()));
    }

    /**
     * Applies the profile on both machines, runs the lab against the server, and restores both;
     * returns the lab's exit code, or {@link #LINK_LOST} when the server's session ended early.
     */
    public static int run(RemoteMachine server, Profile profile, Path profileFile, RunFolder folder, List<Configuration> configurations,
                          List<String> labArgs, ObjectNode metadata) throws Exception {
        // the folder's name and a random part: two clients that start in the same second never share the server's folder or mark
        byte[] random = new byte[3];
        new java.security.SecureRandom().nextBytes(random);
        String runId = folder.dir().getFileName() + "-" + java.util.HexFormat.of().formatHex(random);
        Duration lifetime = configurations.stream().map(Configuration::bound).reduce(Duration.ofMinutes(10), Duration::plus);
        try {
            server.startSession(profileFile, runId, lifetime, folder.file("raw/remote-session.log"));
        } catch (LabException e) {
            RunFolder.deleteTree(folder.dir()); // nothing was measured or changed: nothing is left here either
            throw e;
        }
        System.out.println("tcplab: profile " + profile.name() + " applied on " + server.destination() + "; it restores itself when this run"
                + " ends, or " + ServerSession.SILENCE.toSeconds() + " s after the link goes");
        List<String> args = new ArrayList<>(labArgs);
        args.add("--host-mode");
        args.addAll(List.of("--remote", server.destination(), "--ssh-socket", server.ssh().socket().toString(),
                "--remote-run", runId, "--remote-address", server.serverAddress(), "--remote-client-address", server.clientAddress(), "--remote-class-path", server.classPath(),
                "--remote-run-dir", server.runDir(runId)));
        if (server.ssh().config() != null) {
            args.addAll(List.of("--ssh-config", server.ssh().config().toAbsolutePath().toString()));
        }
        int exit;
        boolean lost;
        try (HostMode applied = HostMode.apply(profile)) {
            System.out.println("tcplab: profile " + profile.name() + " applied to this machine too; the previous values are in "
                    + RestoreFile.path());
            exit = LabLauncher.run(args, true, () -> !server.sessionAlive());
        } finally {
            lost = !server.sessionAlive();
            ObjectNode remote = (ObjectNode) metadata.get("remote");
            if (!lost) {
                remote.set("rttAtEnd", server.rtt());
            }
            String problem = server.endSession();
            if (problem != null) {
                System.err.println("tcplab: " + problem);
                remote.put("restoreProblem", problem);
            } else {
                System.out.println("tcplab: " + server.destination() + "'s settings are back as they were, and this machine's");
                try {
                    remote.set("sysctlsAfter", server.info().path("sysctls"));
                } catch (LabException e) {
                    remote.put("sysctlsAfter", "unreadable: " + e.getMessage());
                }
            }
            remote.put("linkLost", lost);
        }
        if (lost) {
            System.err.println("tcplab: the link to " + server.destination() + " or its session was lost during the run; what was measured"
                    + " is kept. " + server.destination() + " restores its own settings when its session ends (at once, or 5 s after the"
                    + " link went); check with: make restore REMOTE=" + server.destination());
            return LINK_LOST;
        }
        return exit;
    }
}
