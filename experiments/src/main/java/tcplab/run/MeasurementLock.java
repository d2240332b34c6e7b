package tcplab.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.function.Consumer;
import tcplab.lab.LabException;

/**
 * One measurement at a time on this machine: two runs at once would share its cores and bend each
 * other's numbers without saying so. Each configuration holds the lock while it measures; a second
 * run waits its turn between the first one's configurations, and says so. The kernel drops the
 * lock when its holder dies, however it dies. (JMH has a lock of its own, but it lives in JMH's
 * temporary directory, which tcplab gives each run.)
 */
public final class MeasurementLock implements AutoCloseable {
    static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "tcplab-measurement.lock");

    private final FileChannel channel;
    private final FileLock lock;
    private final Duration waited;

    private MeasurementLock(FileChannel channel, FileLock lock, Duration waited) {
        this.channel = channel;
        this.lock = lock;
        this.waited = waited;
    }

    /** How long it took to get the lock: time that belongs to another run, not to this configuration. */
    public Duration waited() {
        return waited;
    }

    /** Takes the lock, waiting at most {@code wait} and saying once that it waits. */
    public static MeasurementLock acquire(Duration wait, Consumer<String> say) throws IOException, LabException {
        FileChannel channel;
        try {
            channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            say.accept("        warning: cannot open " + FILE + " (another user's run made it and it is not writable for others);"
                    + " not waiting for other runs");
            return new MeasurementLock(null, null, Duration.ZERO);
        }
        try {
            Files.setPosixFilePermissions(FILE, PosixFilePermissions.fromString("rw-rw-rw-")); // other users' runs take turns too
        } catch (IOException notOwner) {
            // another user's run made it, writable for all
        }
        long start = System.nanoTime();
        long until = start + wait.toNanos();
        boolean told = false;
        try {
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException held) {
                    lock = null; // this JVM holds it already: a second run inside one JVM (tests) waits too
                }
                if (lock != null) {
                    return new MeasurementLock(channel, lock, Duration.ofNanos(System.nanoTime() - start));
                }
                if (System.nanoTime() - until > 0) {
                    throw new LabException("another tcplab run on this machine kept measuring for more than " + wait.toMinutes()
                            + " min (it holds " + FILE + ")", "let it finish or stop it, then run again");
                }
                if (!told) {
                    say.accept("        waiting for another tcplab run on this machine to finish its configuration"
                            + " (two at once would bend each other's numbers)");
                    told = true;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for another tcplab run", null, e);
        } catch (IOException | LabException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
