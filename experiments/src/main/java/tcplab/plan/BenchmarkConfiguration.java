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
    /** Namespaces, server JVM and JMH's own JVM per configuration, measured likewise. */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(600);

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
        return SETUP_OVERHEAD.plus(FORK_OVERHEAD.plus(Duration.ofMillis(measuring)).multipliedBy(jmh.forks()));
    }

    @Override
    public Duration bound() {
        return expected().multipliedBy(2).plusSeconds(60);
    }

    static long millis(String time) {
        return TimeValue.fromString(time).convertTo(TimeUnit.MILLISECONDS);
    }
}
