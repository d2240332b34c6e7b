package tcplab.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import tcplab.kernel.NetnsGuard;
import tcplab.kernel.Sysctl;
import tcplab.lab.LabException;
import tcplab.profile.Profile;
import tcplab.profile.ProfileEntry;

/**
 * Host mode: the profile applied to this machine itself, for measuring its real network stack
 * (loopback, or a benchmark pointed at another machine). Opt-in only. The machine's values are
 * recorded in the {@link RestoreFile} before the first one changes, and put back on every exit
 * path this JVM has: normal end, error, SIGINT and SIGTERM (the caller's finally, with a shutdown
 * hook behind it). After a SIGKILL or a power loss the restore file stays, and every tcplab command
 * refuses to run until {@code make restore} has put the values back.
 */
public final class HostMode implements AutoCloseable {
    public static final String CONFIRM_FLAG = "--yes-change-this-machine";
    /** Set for the processes of a host-mode run (its lab and the lab's children): they belong to the run that owns the restore file. */
    public static final String RUN_ENV = "TCPLAB_HOST_RUN";

    private final Map<String, String> previous;
    private final AtomicBoolean restored = new AtomicBoolean();
    private final Thread hook;

    private HostMode(Map<String, String> previous) {
        this.previous = previous;
        this.hook = new Thread(() -> {
            try {
                restore();
            } catch (LabException e) {
                System.err.println("tcplab: " + e.oneLine());
            }
        }, "tcplab-host-restore");
    }

    /** Host mode can start: nothing is pending, this is root, and the restore file can be written. */
    public static void checkPossible() throws LabException {
        refuseIfPending();
        if (!tcplab.lab.LabLauncher.isRoot()) {
            throw new LabException("host mode writes this machine's sysctls, which needs root", "sudo make run-profile MODE=host CONFIRM=yes ...,"
                    + " or leave MODE unset: namespace mode needs no change to this machine");
        }
        java.nio.file.Path dir = tcplab.results.RunFolder.nearestExisting(RestoreFile.path().getParent());
        if (dir == null || !java.nio.file.Files.isWritable(dir)) {
            throw new LabException("cannot write the restore file " + RestoreFile.path(), "run as root, or set " + RestoreFile.STATE_DIR_ENV
                    + " to a folder you can write");
        }
    }

    /** Records the machine's values, then applies the profile and reads every value back; on any failure puts them back first. */
    public static HostMode apply(Profile profile) throws LabException {
        return apply(profile, "");
    }

    /** The same for the server side of two-machine run {@code run} (see {@link ServerSession}). */
    public static HostMode apply(Profile profile, String run) throws LabException {
        checkPossible();
        Map<String, String> previous = new LinkedHashMap<>();
        try {
            for (ProfileEntry e : profile.entries()) {
                previous.put(e.key().name(), e.key().read());
            }
            RestoreFile.write(previous, NetnsGuard.current(), profile.name(), run);
        } catch (IOException e) {
            throw new LabException("cannot record this machine's settings in " + RestoreFile.path() + ": " + e.getMessage(),
                    "make " + RestoreFile.path().getParent() + " writable, or set " + RestoreFile.STATE_DIR_ENV + " to a folder that is");
        }
        HostMode host = new HostMode(previous);
        Runtime.getRuntime().addShutdownHook(host.hook);
        try {
            List<String> wrong = new ArrayList<>();
            // one at a time with restore: a signal's hook that restores mid-apply waits, so no value is written after the restore
            synchronized (host) {
                for (ProfileEntry e : profile.entries()) {
                    if (host.restored.get()) {
                        throw new LabException("stopped while applying the profile; the previous values were put back", null);
                    }
                    e.key().writeOnThisMachine(e.value());
                    String now = e.key().read();
                    if (!Sysctl.sameValue(now, e.value())) {
                        wrong.add(e.key().name() + " is '" + now + "', not '" + e.value() + "'");
                    }
                }
            }
            if (!wrong.isEmpty()) {
                throw new LabException("this machine did not keep the profile: " + String.join("; ", wrong),
                        "run `make check-profile PROFILE=" + profile.name() + "`; the previous values were put back");
            }
            return host;
        } catch (IOException | LabException | RuntimeException e) {
            host.close();
            if (e instanceof LabException le) {
                throw le;
            }
            throw new LabException("cannot apply the profile to this machine: " + e.getMessage(),
                    "run `make check-profile PROFILE=" + profile.name() + "`; the previous values were put back", e);
        }
    }

    /** Puts the recorded values back (once), reads them back, and only then deletes the restore file. */
    public synchronized void restore() throws LabException {
        if (restored.getAndSet(true)) {
            return;
        }
        put(previous);
    }

    @Override
    public void close() throws LabException {
        try {
            restore();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran: it restored
            }
        }
    }

    private static void put(Map<String, String> values) throws LabException {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Sysctl key = Sysctl.of(e.getKey());
            try {
                key.writeOnThisMachine(e.getValue());
                String now = key.read();
                if (!Sysctl.sameValue(now, e.getValue())) {
                    wrong.add(e.getKey() + " is '" + now + "', not '" + e.getValue() + "'");
                }
            } catch (IOException ex) {
                wrong.add(e.getKey() + ": " + ex.getMessage());
            }
        }
        if (!wrong.isEmpty()) {
            throw new LabException("could not put this machine's settings back: " + String.join("; ", wrong) + "; " + RestoreFile.path()
                    + " is kept", "sysctl -p " + RestoreFile.path() + " as root, then delete it");
        }
        try {
            RestoreFile.delete();
        } catch (IOException e) {
            throw new LabException("restored, but cannot delete " + RestoreFile.path() + ": " + e.getMessage(), "delete it by hand");
        }
    }

    /** {@code make restore}: what a killed host-mode run left, put back. Returns the values restored. */
    public static Map<String, String> restoreFromFile() throws LabException {
        try {
            RestoreFile.Owner owner = RestoreFile.owner().orElse(null);
            if (owner == null) {
                return Map.of();
            }
            if (owner.alive()) {
                throw new LabException("the host-mode run that changed these settings (pid " + owner.pid() + ") is still running",
                        "let it finish, or stop it with Ctrl-C or kill " + owner.pid() + ": it restores them itself");
            }
            if (!owner.netns().isEmpty() && !owner.netns().equals(NetnsGuard.current())) {
                throw new LabException("the settings were changed in network namespace " + owner.netns() + ", not this one ("
                        + NetnsGuard.current() + ")", "run make restore where the host-mode run ran");
            }
            Map<String, String> values = RestoreFile.values();
            put(values);
            return values;
        } catch (IOException e) {
            throw new LabException("cannot read " + RestoreFile.path() + ": " + e.getMessage(), "sysctl -p " + RestoreFile.path() + " as root");
        }
    }

    /** Every tcplab command but restore starts here: nothing runs on a machine whose settings a killed run left changed. */
    public static void refuseIfPending() throws LabException {
        try {
            RestoreFile.Owner owner = RestoreFile.owner().orElse(null);
            if (owner == null || Long.toString(owner.pid()).equals(System.getenv(RUN_ENV))) {
                return; // nothing pending, or this process is part of the run that wrote it
            }
            String remoteRun = System.getenv(tcplab.lab.Ssh.RUN_ENV);
            if (remoteRun != null && !owner.run().isEmpty() && owner.run().equals(remoteRun) && owner.alive()) {
                return; // a process of the two-machine run whose session here wrote it
            }
            if (owner.alive()) {
                throw new LabException("a host-mode run (pid " + owner.pid() + ") has changed this machine's TCP settings and is still running",
                        "wait for it to finish; it restores them");
            }
            throw new LabException("a host-mode run (pid " + owner.pid() + ", " + owner.written() + ") ended without restoring this machine's"
                    + " TCP settings; they are recorded in " + RestoreFile.path(), "make restore (as root)");
        } catch (IOException e) {
            throw new LabException("cannot read " + RestoreFile.path() + ": " + e.getMessage(), "make restore (as root)");
        }
    }
}
