package tcplab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.host.HostMode;
import tcplab.host.ServerSession;
import tcplab.lab.LabException;
import tcplab.lab.LabLauncher;
import tcplab.profile.Profile;
import tcplab.profile.ProfileChecks;
import tcplab.results.Metadata;

/** The server machine's side of a two-machine run: what {@code tcplab run --remote} starts there over ssh. */
@Command(name = "remote", hidden = true, subcommands = {RemoteCommand.Info.class, RemoteCommand.Session.class, RemoteCommand.Clean.class},
        description = "Internal: the server machine's side of `tcplab run --remote`.")
final class RemoteCommand {

    @Command(name = "info", description = "Print this machine's metadata and TCP settings as JSON.")
    static final class Info implements Callable<Integer> {
        @Option(names = "--peer", required = true, description = "the client's address, to name the device that reaches it")
        String peer;

        @Override
        public Integer call() throws Exception {
            ObjectNode info = Metadata.JSON.createObjectNode();
            info.put("tcplabVersion", Metadata.tcplab(Path.of("/")).path("version").asText());
            info.set("machine", Metadata.machine());
            info.set("jdk", Metadata.jdk());
            info.set("nic", Metadata.nic(peer));
            info.set("sysctls", Metadata.toJson(Metadata.readRelevant()));
            info.put("root", LabLauncher.isRoot());
            info.put("restorePending", tcplab.host.RestoreFile.exists());
            info.put("restoreOwnerAlive", tcplab.host.RestoreFile.owner().map(tcplab.host.RestoreFile.Owner::alive).orElse(false));
            System.out.println(Metadata.JSON.writeValueAsString(info));
            return Main.OK;
        }
    }

    @Command(name = "clean", description = "Remove what killed runs left here: their processes, the nft table, their folders.")
    static final class Clean implements Callable<Integer> {
        @Option(names = "--runs", required = true, description = "the folder of the runs' folders here")
        Path runs;

        @Override
        public Integer call() {
            ServerSession.cleanLeftovers(runs).forEach(System.out::println);
            return Main.OK;
        }
    }

    @Command(name = "session", description = "Apply a profile to this machine for a run and restore it when the run's heartbeat stops.")
    static final class Session implements Callable<Integer> {
        @Option(names = "--profile", required = true)
        Path profile;

        @Option(names = "--run", required = true, description = "the run's id: its processes here carry it")
        String run;

        @Option(names = "--run-dir", required = true, description = "the run's folder here, deleted at the end")
        Path runDir;

        @Option(names = "--lifetime", required = true, converter = DurationConverter.class)
        Duration lifetime;

        @Override
        public Integer call() throws Exception {
            try {
                HostMode.checkPossible();
                Profile parsed = ProfileChecks.parseForHost(profile);
                LabLauncher.checkPrerequisites();
                // the same check as on the client: each key asked of this kernel in a throwaway namespace
                if (LabLauncher.run(List.of("check", "--profile", profile.toAbsolutePath().toString())) != Main.OK) {
                    return refuse("the profile does not fit this machine's kernel (the lines above say why)", Main.BAD_INPUT);
                }
                return ServerSession.serve(parsed, run, runDir, lifetime);
            } catch (LabException e) {
                return refuse(e.oneLine(), Main.MISSING_PREREQUISITE);
            } catch (tcplab.profile.ProfileException e) {
                return refuse(e.getMessage(), Main.BAD_INPUT);
            }
        }

        /** The client side reads why from "@error", and nothing of the run is left here. */
        private int refuse(String why, int exit) {
            System.out.println("@error " + why.replace('\n', ' '));
            try {
                tcplab.results.RunFolder.deleteTree(runDir);
            } catch (java.io.IOException e) {
                System.out.println("tcplab: cannot delete " + runDir + ": " + e.getMessage());
            }
            return exit;
        }
    }
}
