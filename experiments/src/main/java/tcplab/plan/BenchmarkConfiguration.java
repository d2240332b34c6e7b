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
     * Namespaces, server JVM and JMH's own JVM per configuration, measured likewise: the quick plan's
     * Throughput configurations (1.5 s of iterations) took 4.0 to 4.5 s each on a 2-core 2 GHz Xeon.
     */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(1800);
    /** What SampleTime adds (JMH keeps and writes every sample): 4.9 to 5.3 s against Throughput's 4.0 to 4.5 there. */
    static final Duration SAMPLE_OVERHEAD = Duration.ofMillis(800);

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
