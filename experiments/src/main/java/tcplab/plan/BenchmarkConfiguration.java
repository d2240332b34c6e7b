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
     * configurations (1.5 s of iterations) took 4.0 to 4.5 s each on a 2-core 2 GHz Xeon and 2.9 to
     * 3.6 s on a 2-core AMD EPYC (2026-12-03): the two kinds of machine seen here, and the estimate
     * takes about the middle (2.0 s with the fork). No one figure is within 10 % of both: the
     * quick plan took 1:39 to 1:44 on the EPYC and 2:05 on the Xeon, and estimates 1:55.
     */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(1000);
    /** What SampleTime adds (JMH keeps and writes every sample): 0.8 s on the Xeon, none on the EPYC; the middle. */
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

    @Override
    public Duration expected() {
        long measuring = jmh.warmupIterations() * millis(jmh.warmupTime()) + jmh.iterations() * millis(jmh.time());
        return SETUP_OVERHEAD.plus(mode.equals("sample") ? SAMPLE_OVERHEAD : Duration.ZERO)
                .plus(FORK_OVERHEAD.plus(Duration.ofMillis(measuring)).multipliedBy(jmh.forks()));
    }

    @Override
    public Duration bound() {
        return expected().multipliedBy(2).plusSeconds(60);
    }

    static long millis(String time) {
        return TimeValue.fromString(time).convertTo(TimeUnit.MILLISECONDS);
    }
}
