package tcplab.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.runner.options.TimeValue;
import tcplab.lab.NetworkPath;

/**
 * One benchmark run in one pair of fresh hosts: a benchmark, one JMH mode, one path, one thread
 * count, one value per parameter, one repetition. Its id names its raw files.
 */
public record Configuration(int index, int repetition, BenchmarkCatalog.Benchmark benchmark, String mode,
                            NetworkPath path, int threads, Map<String, String> params, JmhSettings jmh) {

    /** Fork JVM start and teardown, as measured on the 2-core machines this was built on. */
    static final Duration FORK_OVERHEAD = Duration.ofMillis(600);
    /** Namespaces, server JVM and JMH's own JVM per configuration, measured likewise. */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(700);

    /** e.g. {@code 03-ConnectCloseBenchmark-thrpt-veth-t1-closeMode=CLIENT_FIN-reuseAddr=false-r1} */
    public String id() {
        StringBuilder id = new StringBuilder(String.format("%02d-%s-%s-%s-t%d", index, benchmark.name(), mode, path.label(), threads));
        params.forEach((k, v) -> id.append('-').append(k).append('=').append(v.replaceAll("[^A-Za-z0-9._]", "_")));
        return id.append("-r").append(repetition).toString();
    }

    /** Conditions as {@code key=value} pairs joined by {@code ;}, the form claims.csv uses. */
    public String conditions() {
        List<String> pairs = new ArrayList<>();
        pairs.add("path=" + path.label());
        pairs.add("threads=" + threads);
        params.forEach((k, v) -> pairs.add(k + "=" + v));
        return String.join(";", pairs);
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

    /** What the configuration should take, for progress and the plan's total. */
    public Duration expected() {
        long measuring = jmh.warmupIterations() * millis(jmh.warmupTime()) + jmh.iterations() * millis(jmh.time());
        return SETUP_OVERHEAD.plus(FORK_OVERHEAD.plus(Duration.ofMillis(measuring)).multipliedBy(jmh.forks()));
    }

    /** The hard bound: past it the configuration is killed and reported as timed out. */
    public Duration bound() {
        return expected().multipliedBy(2).plusSeconds(60);
    }

    static long millis(String time) {
        return TimeValue.fromString(time).convertTo(TimeUnit.MILLISECONDS);
    }
}
