package tcplab.plan;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import tcplab.lab.JavaCommand;

/**
 * How fast this machine does the work that is not waiting: starting the lab's JVMs, namespaces and
 * tools. An estimate is a configuration's waits and measuring time, which are the same on every
 * machine, plus that work, which is not: the same quick plan's JVM-heavy parts took 2.5 to 3 times
 * longer on one 2-core machine than on another. So a run times one start of a helper JVM (C1, the
 * helpers' options, tcplab's class path, as an agent of a timer-bound configuration starts) and
 * scales the work parts of every estimate by that time over {@link #REFERENCE}.
 */
public final class MachineSpeed {

    /**
     * The probe's time on the machine the estimates' constants describe. Inferred: on a 2-core Xeon
     * at 2.6 GHz (2026-12-05) the probe took 0.30 s (fastest of 3; 0.30 to 0.36 s) and the quick
     * plan 83 s, which the constants give with their work parts times 0.60; 0.30 / 0.60 = 0.50 s.
     */
    public static final Duration REFERENCE = Duration.ofMillis(500);
    /** Starts timed; the fastest counts, as a start delayed by something else says nothing of this machine. */
    static final int PROBES = 3;
    /** A factor outside these says the probe went wrong (a swapping machine, a JVM that would not start), not the machine. */
    static final double MIN = 0.25;
    static final double MAX = 4;

    private static volatile double factor = 1;
    private static volatile Duration probe;

    private MachineSpeed() {
    }

    /** What the estimates' work parts are multiplied by: 1 until {@link #measure} or {@link #use} sets it. */
    public static double factor() {
        return factor;
    }

    /** The probe's fastest start, or null when this JVM did not measure it (a lab's JVM is given the factor). */
    public static Duration probe() {
        return probe;
    }

    /** {@code work} on this machine. */
    public static Duration scaled(Duration work) {
        return Duration.ofNanos(Math.round(work.toNanos() * factor));
    }

    /** The factor for a probe of {@code fastest}, kept within {@link #MIN} and {@link #MAX}. */
    static double factorFor(Duration fastest) {
        double f = (double) fastest.toNanos() / REFERENCE.toNanos();
        return Math.max(MIN, Math.min(MAX, f));
    }

    /** Sets the factor another JVM measured (the lab's JVM is started with it). */
    public static void use(double measured) {
        if (!(measured >= MIN && measured <= MAX)) {
            throw new IllegalArgumentException("a machine speed factor must be from " + MIN + " to " + MAX + ", not " + measured);
        }
        factor = measured;
    }

    /**
     * Times {@link #PROBES} starts of a helper JVM printing tcplab's version and sets the factor from
     * the fastest; about a second. A probe that fails leaves the factor at 1 and says so: an estimate
     * is then the constants' machine's, never a reason to stop a run.
     */
    public static synchronized double measure() {
        if (probe != null) {
            return factor;
        }
        Duration fastest = null;
        List<String> command = new ArrayList<>(JavaCommand.tcplab(JavaCommand.TIMER_BOUND_OPTIONS, List.of("--version")));
        try {
            for (int i = 0; i < PROBES; i++) {
                long start = System.nanoTime();
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("the probe JVM did not end within 30 s");
                }
                if (p.exitValue() != 0) {
                    throw new IOException("the probe JVM exited with " + p.exitValue());
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                fastest = fastest == null || took.compareTo(fastest) < 0 ? took : fastest;
            }
        } catch (IOException e) {
            System.err.println("tcplab: could not time this machine (" + e.getMessage() + "); estimates are those of the machine they were"
                    + " measured on");
            return factor;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return factor;
        }
        probe = fastest;
        factor = factorFor(fastest);
        return factor;
    }

    /** e.g. {@code 0.60 of the estimates' machine's (a helper JVM starts in 0.30 s here, 0.50 s there)}. */
    public static String describe() {
        return String.format(Locale.ROOT, "%.2f of the estimates' machine's", factor) + (probe == null ? ""
                : String.format(Locale.ROOT, " (a helper JVM starts in %.2f s here, %.2f s there)", probe.toNanos() / 1e9, REFERENCE.toNanos() / 1e9));
    }
}
