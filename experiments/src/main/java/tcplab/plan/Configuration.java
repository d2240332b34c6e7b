package tcplab.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Pace;
import tcplab.lab.NetworkPath;

/**
 * One unit of a run, in one pair of fresh hosts: a benchmark in one JMH mode, or one experiment,
 * with one value per parameter, the sysctls the plan sets on top of the profile, and one
 * repetition. Its id names its raw files.
 */
public sealed interface Configuration permits BenchmarkConfiguration, ExperimentConfiguration {
    String BENCHMARK = "benchmark";
    String EXPERIMENT = "experiment";

    int index();

    int repetition();

    /** {@value #BENCHMARK} or {@value #EXPERIMENT}. */
    String type();

    /** The benchmark class's simple name, or the experiment's name. */
    String name();

    /** The JMH mode, or empty for an experiment. */
    String mode();

    NetworkPath path();

    /** 1 for experiments. */
    int threads();

    Map<String, String> params();

    /** Sysctls the plan sets on top of the profile, by full name; recorded as overrides. */
    Map<String, String> sysctls();

    /** What the configuration should take, for progress and the plan's total. */
    Duration expected();

    /** The hard bound: past it the configuration is stopped and reported as timed out. */
    Duration bound();

    /** Whether it may run beside others: a benchmark measures a rate, so it runs alone; an experiment says. */
    default Pace pace() {
        return this instanceof ExperimentConfiguration e ? e.experiment().pace() : Pace.CPU;
    }

    /**
     * e.g. {@code 03-ConnectCloseBenchmark-thrpt-veth-t1-closeMode=CLIENT_FIN-reuseAddr=false-r1} or
     * {@code 19-port-exhaustion-veth-closeMode=CLIENT_FIN-tcp_tw_reuse=1-r1}.
     */
    default String id() {
        StringBuilder id = new StringBuilder(String.format("%02d-%s", index(), name()));
        if (!mode().isEmpty()) {
            id.append('-').append(mode());
        }
        id.append('-').append(path().label());
        if (type().equals(BENCHMARK)) {
            id.append("-t").append(threads());
        }
        params().forEach((k, v) -> id.append('-').append(k).append('=').append(safe(v)));
        sysctls().forEach((k, v) -> id.append('-').append(k.substring(k.lastIndexOf('.') + 1)).append('=').append(safe(v)));
        return id.append("-r").append(repetition()).toString();
    }

    /** Conditions as {@code key=value} pairs joined by {@code ;}, the form claims.csv uses (sysctls by full name). */
    default String conditions() {
        List<String> pairs = new ArrayList<>();
        pairs.add("path=" + path().label());
        if (type().equals(BENCHMARK)) {
            pairs.add("threads=" + threads());
        }
        params().forEach((k, v) -> pairs.add(k + "=" + v));
        sysctls().forEach((k, v) -> pairs.add(k + "=" + v));
        return String.join(";", pairs);
    }

    /** The overrides alone, as {@code key=value} pairs joined by {@code ;}. */
    default String sysctlConditions() {
        List<String> pairs = new ArrayList<>();
        sysctls().forEach((k, v) -> pairs.add(k + "=" + v));
        return String.join(";", pairs);
    }

    private static String safe(String value) {
        return value.replaceAll("[^A-Za-z0-9._]", "_");
    }
}
