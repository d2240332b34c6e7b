package tcplab.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import tcplab.socket.FailureCause;

/**
 * What became of each attempt, counted per thread. The primary score counts attempts, failed ones
 * included; {@code ok} counts complete cycles. A run with failures is reported with them, never
 * hidden in the score:
 * <ul>
 *   <li>In Throughput mode JMH reports the public fields as rates beside the score (they are the
 *       CSV column names).</li>
 *   <li>JMH reports no auxiliary counters in SampleTime mode, where a failed attempt is just another
 *       latency sample; so every iteration's counts are also appended to the CSV file named by
 *       {@value OutcomeLog#ENV} (the lab sets it), and printed when attempts failed in a mode whose
 *       results cannot show it.</li>
 * </ul>
 *
 * <p>Each row also has {@code cpu_ns}, the CPU the whole benchmark JVM spent over that iteration
 * (user and system, every thread: what {@code getrusage(RUSAGE_SELF)} gives the C client), so CPU
 * per cycle sits beside the rate: a thread that never waited ran as fast as its CPU allowed, in
 * its own code or the kernel's. With several threads each row has the same process over its own, nearly equal,
 * window: divide one row's CPU per iteration by the iteration's cycles.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Outcomes {
    /** How many distinct unexpected messages a fork prints before it stays quiet. */
    private static final int MESSAGES_TO_PRINT = 5;
    private static final Set<String> PRINTED = new HashSet<>();

    public long ok;
    public long addrNotAvailable;
    public long refused;
    public long timedOut;
    public long reset;
    public long other;

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private int warmups;
    private long cpuAtStart;
    private int measurements;

    @Setup(Level.Iteration)
    public void clear() {
        ok = 0;
        addrNotAvailable = 0;
        refused = 0;
        timedOut = 0;
        reset = 0;
        other = 0;
        cpuAtStart = OS.getProcessCpuTime();
    }

    /** Runs after JMH has taken this iteration's results, outside the measured time. */
    @TearDown(Level.Iteration)
    public void record(BenchmarkParams benchmark, IterationParams iteration, ThreadParams thread) throws java.io.IOException {
        long cpu = OS.getProcessCpuTime() - cpuAtStart;
        boolean warmup = iteration.getType() == org.openjdk.jmh.runner.IterationType.WARMUP;
        int index = warmup ? ++warmups : ++measurements;
        long failed = addrNotAvailable + refused + timedOut + reset + other;
        String row = ProcessHandle.current().pid() + "," + thread.getThreadIndex() + "," + benchmark.getMode().shortLabel() + ","
                + (warmup ? "warmup" : "measurement") + "," + index + "," + ok + "," + addrNotAvailable + "," + refused + ","
                + timedOut + "," + reset + "," + other + "," + cpu;
        OutcomeLog.append(row);
        if (failed > 0 && benchmark.getMode() != Mode.Throughput && benchmark.getMode() != Mode.AverageTime) {
            System.err.println("tcplab: " + failed + " of " + (ok + failed) + " attempts in this iteration failed and are in its latency samples"
                    + " (addrNotAvailable " + addrNotAvailable + ", refused " + refused + ", timedOut " + timedOut
                    + ", reset " + reset + ", other " + other + ")");
        }
    }

    public void failed(java.io.IOException e) {
        switch (FailureCause.of(e)) {
            case ADDRESS_NOT_AVAILABLE:
                addrNotAvailable++;
                break;
            case REFUSED:
                refused++;
                break;
            case TIMED_OUT:
                timedOut++;
                // JMH interrupts a thread that overran its iteration; clear the flag so the next
                // call starts clean instead of failing at once.
                Thread.interrupted();
                break;
            case RESET:
                reset++;
                break;
            default:
                other++;
                report(e);
        }
    }

    private static void report(java.io.IOException e) {
        String message = e.getClass().getName() + ": " + e.getMessage();
        synchronized (PRINTED) {
            if (PRINTED.size() < MESSAGES_TO_PRINT && PRINTED.add(message)) {
                System.err.println("tcplab: counted as 'other': " + message);
            }
        }
    }
}
