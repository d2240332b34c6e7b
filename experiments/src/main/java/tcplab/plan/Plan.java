package tcplab.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * What a run measures: which benchmarks, with which parameters, for how long, how many times.
 * A plan is a JSON file (comments allowed) under {@code experiments/plans/}; see its README.
 *
 * @param repetitions how many times the whole plan runs, each configuration in fresh namespaces
 */
public record Plan(Path file, String name, String description, JmhSettings jmh, int repetitions,
                   List<BenchmarkEntry> benchmarks) {

    /** One line of the plan's benchmark list; expands to one configuration per combination. */
    public record BenchmarkEntry(String benchmark, List<String> modes, List<String> paths,
                                 java.util.Map<String, List<String>> params, JmhSettings jmh) {
    }
}
