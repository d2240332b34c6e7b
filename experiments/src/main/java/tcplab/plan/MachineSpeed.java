package tcplab.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /**
     * The probe's CPU time (user and system) on that machine: on the Xeon it measured 0.37 s at a factor
     * of 0.57 (2026-12-05), so 0.65 s. With /usr/bin/time the same start took 0.46 to 0.50 s of CPU
     * with or without one core's cgroup quota, while its wall time rose: a JVM starts on several
     * threads, so its wall time says how long one start takes, its CPU time how much of the machine it
     * takes from the others beside it.
     */
    public static final Duration REFERENCE_CPU = Duration.ofMillis(650);
    /** Starts timed; the fastest counts, as a start delayed by something else says nothing of this machine. */
    static final int PROBES = 3;
    /** A factor outside these says the probe went wrong (a swapping machine, a JVM that would not start), not the machine. */
    static final double MIN = 0.25;
    static final double MAX = 4;

    private static volatile double factor = 1;
    private static volatile Duration probe;
    private static volatile Duration probeCpu;

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

    /**
     * The CPU time one start of the helper JVM takes here: measured, or given by the parent, or else the
     * reference's scaled by the factor. What side-by-side configurations take from each other.
     */
    public static Duration probeCpu() {
        Duration cpu = probeCpu;
        return cpu != null ? cpu : scaled(REFERENCE_CPU);
    }

    /** Whether {@link #probeCpu} was measured (here or by the parent) rather than inferred from the factor. */
    public static boolean probeCpuMeasured() {
        return probeCpu != null;
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

    /** The factor and the probe's CPU time another JVM measured; a CPU time of zero or less means it had none. */
    public static void use(double measured, Duration cpu) {
        use(measured);
        probeCpu = cpu != null && cpu.toMillis() > 0 ? cpu : null;
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
        Duration leastCpu = null;
        List<String> command = new ArrayList<>(JavaCommand.tcplab(JavaCommand.TIMER_BOUND_OPTIONS, List.of("--version")));
        try {
            for (int i = 0; i < PROBES; i++) {
                long cpuBefore = childrenCpuMillis();
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
                long cpuAfter = childrenCpuMillis();
                if (cpuBefore >= 0 && cpuAfter > cpuBefore) {
                    Duration cpu = Duration.ofMillis(cpuAfter - cpuBefore);
                    leastCpu = leastCpu == null || cpu.compareTo(leastCpu) < 0 ? cpu : leastCpu;
                }
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
        probeCpu = leastCpu;
        factor = factorFor(fastest);
        return factor;
    }

    /**
     * CPU time of this JVM's children that have ended and been reaped (cutime and cstime in
     * /proc/self/stat, proc(5), in ticks of 1/100 s), or -1 where there is no such file. The probe's
     * child is reaped before {@code waitFor} returns, and nothing else of this JVM's ends meanwhile.
     */
    static long childrenCpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is proc(5)'s field 3 (state): cutime is field 16, cstime field 17
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** e.g. {@code 0.60 of the estimates' machine's (a helper JVM starts in 0.30 s here, 0.50 s there)}. */
    public static String describe() {
        return String.format(Locale.ROOT, "%.2f of the estimates' machine's", factor) + (probe == null ? ""
                : String.format(Locale.ROOT, " (a helper JVM starts in %.2f s here, %.2f s there%s)", probe.toNanos() / 1e9, REFERENCE.toNanos() / 1e9,
                        probeCpu == null ? "" : String.format(Locale.ROOT, "; it takes %.2f s of CPU", probeCpu.toNanos() / 1e9)));
    }
}
