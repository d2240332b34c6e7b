package tcplab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tcplab.lab.JavaCommand;
import tcplab.lab.LabException;

/** Two runs take turns: the lock is held across processes and dropped when its holder dies. */
class MeasurementLockTest {
    /** Another process that holds the lock for the given milliseconds (or until killed). */
    public static void main(String[] args) throws Exception {
        try (MeasurementLock held = MeasurementLock.acquire(Duration.ofSeconds(30), line -> { })) {
            System.out.println("held");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[0]));
        }
    }

    private static Process holder(long millis) throws Exception {
        Process p = new ProcessBuilder(JavaCommand.java(), "-cp", System.getProperty("java.class.path"), MeasurementLockTest.class.getName(),
                Long.toString(millis)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertEquals("held", out.readLine(), "the other process took the lock");
        return p;
    }

    @Test
    void aSecondRunWaitsItsTurnAndSaysSo() throws Exception {
        Process other = holder(1500);
        List<String> said = new ArrayList<>();
        long start = System.nanoTime();
        try (MeasurementLock mine = MeasurementLock.acquire(Duration.ofSeconds(30), said::add)) {
            double waited = (System.nanoTime() - start) / 1e9;
            assertTrue(waited > 0.8, "waited for the other run: " + waited + " s");
        }
        assertEquals(1, said.size(), "said once that it waits: " + said);
        assertTrue(said.get(0).contains("waiting for another tcplab run"), said.toString());
        assertTrue(other.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void givesUpWithAClearErrorAndTheLockDiesWithItsHolder() throws Exception {
        Process other = holder(60_000);
        try {
            LabException e = assertThrows(LabException.class, () -> MeasurementLock.acquire(Duration.ofMillis(300), line -> { }));
            assertTrue(e.oneLine().contains("another tcplab run on this machine"), e.oneLine());
        } finally {
            other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long start = System.nanoTime();
        try (MeasurementLock mine = MeasurementLock.acquire(Duration.ofSeconds(5), line -> { })) {
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "taken at once: the kernel dropped the killed holder's lock");
        }
    }
}
