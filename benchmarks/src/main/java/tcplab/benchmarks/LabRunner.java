package tcplab.benchmarks;

import java.util.Collection;
import java.util.Optional;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH's own command line, plus one thing the lab needs: the results in both JSON and CSV from one
 * run. Give it the usual JMH flags with {@code -rf json -rff NAME.json}; it also writes NAME.csv.
 * Exits non-zero when JMH produced no result, so the lab never mistakes a failed run for an empty one.
 */
public final class LabRunner {
    private LabRunner() {
    }

    public static void main(String[] args) {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("tcplab: bad JMH option: " + e.getMessage());
            System.exit(2);
            return;
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (RunnerException e) {
            System.err.println("tcplab: JMH run failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        Optional<String> json = options.getResult().hasValue() ? Optional.of(options.getResult().get()) : Optional.empty();
        json.filter(name -> name.endsWith(".json")).ifPresent(name ->
                ResultFormatFactory.getInstance(ResultFormatType.CSV, name.substring(0, name.length() - 5) + ".csv")
                        .writeOut(results));
        if (results.isEmpty()) {
            System.err.println("tcplab: JMH produced no result (see the errors above)");
            System.exit(1);
        }
    }
}
