package tcplab.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import tcplab.lab.LabException;

/**
 * Checks, before a run starts, that its reports folder can be written and has room, so a run never
 * measures for an hour and then cannot keep what it measured. Creates nothing.
 */
public final class ReportsFolder {
    /** What a configuration leaves in a run folder at most, with room to spare (a quick run's average is about 0.3 MB). */
    static final long BYTES_PER_CONFIGURATION = 2L << 20;
    /** Charts, report and metadata of a run, whatever its size. */
    static final long BYTES_PER_RUN = 50L << 20;

    private ReportsFolder() {
    }

    /** Bytes a run of {@code configurations} may need. */
    public static long need(int configurations) {
        return BYTES_PER_RUN + configurations * BYTES_PER_CONFIGURATION;
    }

    /** Throws, with the fix, unless {@code root} (or the folder it would be created in) is a writable folder with {@code need} bytes free. */
    public static void check(Path root, long need) throws LabException {
        Path existing = RunFolder.nearestExisting(root);
        String fix = "give a writable folder with room, e.g. --reports $HOME/tcplab-reports";
        if (existing == null || !Files.isDirectory(existing)) {
            throw new LabException("the reports folder " + root + " cannot be made: " + existing + " is not a folder", fix);
        }
        if (!Files.isWritable(existing) || existing.startsWith("/proc") || existing.startsWith("/sys")) {
            throw new LabException("the reports folder " + root + " is not writable (" + existing + " is not writable for this user)", fix);
        }
        try {
            long free = Files.getFileStore(existing).getUsableSpace();
            if (free < need) {
                throw new LabException(String.format(Locale.ROOT, "only %d MB free for the reports in %s; this run may write up to %d MB",
                        free >> 20, existing, need >> 20), "free some space, or " + fix);
            }
        } catch (IOException e) {
            throw new LabException("cannot tell the free space for the reports in " + existing + ": " + e.getMessage(), fix);
        }
    }
}
