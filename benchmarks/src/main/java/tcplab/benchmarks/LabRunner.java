package tcplab.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH's own command line, plus what the lab needs: the results in both JSON and CSV from one run,
 * each appearing whole or not at all. Give it the usual JMH flags with {@code -rff NAME.json}; it
 * writes NAME.json and NAME.csv under temporary names and renames them into place, so a run killed
 * while they are written never leaves half a file. Exits non-zero when JMH produced no result.
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
        Path json = options.getResult().hasValue() ? Path.of(options.getResult().get()) : null;
        Options run = json == null ? options
                : new OptionsBuilder().parent(options).resultFormat(ResultFormatType.JSON).result(json + ".part").build();
        Collection<RunResult> results;
        try {
            results = new Runner(run).run();
        } catch (RunnerException e) {
            System.err.println("tcplab: JMH run failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (results.isEmpty()) {
            System.err.println("tcplab: JMH produced no result (see the errors above)");
            System.exit(1);
        }
        if (json != null) {
            try {
                String base = json.toString().endsWith(".json") ? json.toString().substring(0, json.toString().length() - 5) : json.toString();
                Path csv = Path.of(base + ".csv");
                ResultFormatFactory.getInstance(ResultFormatType.CSV, csv + ".part").writeOut(results);
                Files.move(Path.of(csv + ".part"), csv, StandardCopyOption.ATOMIC_MOVE);
                Files.move(Path.of(json + ".part"), json, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                System.err.println("tcplab: cannot write the results: " + e.getMessage());
                System.exit(1);
            }
        }
    }
}
