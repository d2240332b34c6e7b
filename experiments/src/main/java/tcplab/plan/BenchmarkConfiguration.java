package tcplab.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.runner.options.TimeValue;
import tcplab.lab.NetworkPath;

/** A benchmark in one JMH mode, with one thread count and one value per parameter. */
public record BenchmarkConfiguration(int index, int repetition, BenchmarkCatalog.Benchmark benchmark, String mode,
                                     NetworkPath path, int threads, Map<String, String> params, Map<String, String> sysctls,
                                     JmhSettings jmh) implements Configuration {

    /** Fork JVM start and teardown, as measured on the 2-core machines this was built on. */
    static final Duration FORK_OVERHEAD = Duration.ofMillis(1000);
    /**
     * Namespaces, server JVM and JMH's own JVM per configuration. The quick plan's Throughput
     * configurations (1.5 s of iterations) took 4.0 to 4.5 s each on a 2-core 2 GHz Xeon, 2.9 to
     * 3.6 s on a 2-core AMD EPYC (2026-12-03) and 2.4 to 2.5 s on a 2-core 2.6 GHz Xeon
     * (2026-12-05). No one figure is within 10 % of all three, so these are the figures at
     * {@link MachineSpeed#REFERENCE} (2.0 s with the fork), and the estimate scales them to the
     * machine it runs on.
     */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(1000);
    /** What SampleTime adds (JMH keeps and writes every sample): 0.8 s on the 2 GHz Xeon, none on the EPYC, 0.2 s on the 2.6 GHz Xeon. */
    static final Duration SAMPLE_OVERHEAD = Duration.ofMillis(400);

    @Override
    public String type() {
        return BENCHMARK;
    }

    @Override
    public String name() {
        return benchmark.name();
    }

    /** JMH's command line for this configuration. */
    public List<String> jmhArgs(String profileName, String jsonFile) {
        List<String> args = new ArrayList<>(List.of(benchmark.includePattern(),
                "-bm", mode,
                "-tu", mode.equals("thrpt") ? "s" : "us",
                "-f", Integer.toString(jmh.forks()),
                "-wi", Integer.toString(jmh.warmupIterations()),
                "-w", jmh.warmupTime(),
                "-i", Integer.toString(jmh.iterations()),
                "-r", jmh.time(),
                "-t", Integer.toString(threads),
                "-to", jmh.timeout(),
                "-foe", "true",
                "-rf", "json",
                "-rff", jsonFile));
        params.forEach((k, v) -> args.addAll(List.of("-p", k + "=" + v)));
        args.addAll(List.of("-p", "profile=" + profileName));
        return args;
    }

    /** The fixed part: the iterations JMH runs, the same on every machine. */
    private Duration measuring() {
        return Duration.ofMillis(jmh.warmupIterations() * millis(jmh.warmupTime()) + jmh.iterations() * millis(jmh.time())).multipliedBy(jmh.forks());
    }

    /** The work part, at {@link MachineSpeed#REFERENCE}: hosts, the server's JVM, JMH's own and its forks'. */
    private Duration work() {
        return SETUP_OVERHEAD.plus(mode.equals("sample") ? SAMPLE_OVERHEAD : Duration.ZERO).plus(FORK_OVERHEAD.multipliedBy(jmh.forks()));
    }

    @Override
    public Duration expected() {
        return measuring().plus(MachineSpeed.scaled(work()));
    }

    @Override
    public Duration bound() {
        // from the reference machine's figure: a bound does not tighten because a probe was fast
        return measuring().plus(work()).multipliedBy(2).plusSeconds(60);
    }

    static long millis(String time) {
        return TimeValue.fromString(time).convertTo(TimeUnit.MILLISECONDS);
    }
}
