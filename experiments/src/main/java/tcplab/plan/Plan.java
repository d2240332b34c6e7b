package tcplab.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a run measures: which benchmarks and experiments, with which parameters and sysctls on top
 * of the profile, for how long, how many times. A plan is a JSON file (comments allowed) under
 * {@code experiments/plans/}; see its README.
 *
 * @param repetitions how many times the whole plan runs, each configuration in fresh namespaces
 */
public record Plan(Path file, String name, String description, JmhSettings jmh, int repetitions,
                   List<BenchmarkEntry> benchmarks, List<ExperimentEntry> experiments) {

    /**
     * One benchmark line of the plan; expands to one configuration per combination.
     *
     * @param sysctls values swept on top of the profile, by full sysctl name
     */
    public record BenchmarkEntry(String benchmark, List<String> modes, List<String> paths, Map<String, List<String>> params,
                                 Map<String, List<String>> sysctls, JmhSettings jmh, Integer repetitions) {
    }

    /**
     * One experiment line of the plan; expands to one configuration per combination.
     *
     * @param repetitions how many times, if not the plan's (an experiment that counts sockets gives the same count each time)
     * @param bound a hard time bound for each configuration, if not the experiment's own (e.g. "2m"); past it the
     *              configuration is stopped and reported as timed out
     */
    public record ExperimentEntry(String experiment, List<String> paths, Map<String, List<String>> params,
                                  Map<String, List<String>> sysctls, Integer repetitions, String bound) {
    }
}
