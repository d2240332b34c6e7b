package tcplab.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** Tiny plans and profiles so lab tests finish in seconds, and readers for what a run wrote. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A plan of ConnectCloseBenchmark entries, one per close mode, with short JMH settings. */
    public static Path plan(Path dir, String name, String jmh, String... entries) throws IOException {
        return Cli.write(dir, name + ".json", "{\"description\": \"test plan " + name + "\", \"jmh\": " + jmh
                + ", \"benchmarks\": [" + String.join(",", entries) + "]}");
    }

    /** One plan entry. */
    public static String entry(String benchmark, String modes, String paths, String params) {
        return "{\"benchmark\": \"" + benchmark + "\", \"modes\": [" + modes + "], \"paths\": [" + paths + "], \"params\": {" + params + "}}";
    }

    public static String closeMode(String mode, String modes, String paths) {
        return entry("ConnectCloseBenchmark", modes, paths,
                "\"closeMode\": [\"" + mode + "\"], \"reuseAddr\": [\"false\"], \"exchange\": [\"NONE\"]");
    }

    public static Path profile(Path dir, String name, String... lines) throws IOException {
        return Cli.write(dir, name + ".conf", "# Test profile " + name + ", written by a test.\n" + String.join("\n", lines) + "\n");
    }

    /** The run folder a successful run printed on its last line. */
    public static Path runFolder(Cli.Result result) {
        return Path.of(result.lastLine().replaceAll("/$", ""));
    }

    public static List<Map<String, String>> csv(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            List<Map<String, String>> rows = new ArrayList<>();
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                if (!r.isConsistent()) {
                    throw new IOException(file + ": record " + r.getRecordNumber() + " has " + r.size() + " fields, not as many as the header");
                }
                rows.add(r.toMap());
            }
            return rows;
        }
    }

    public static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** Every CSV under a run folder parses and every record has as many fields as its header. */
    public static int assertEveryCsvParses(Path runFolder) throws IOException {
        int rows = 0;
        try (Stream<Path> files = Files.walk(runFolder)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".csv")).toList()) {
                rows += csv(f).size();
            }
        }
        return rows;
    }

    /** The rows of one configuration in the run's kernel-counters.csv, as host.counter → row. */
    public static long counter(Path runFolder, String configurationPrefix, String host, String counter, String column) throws IOException {
        for (Map<String, String> r : csv(runFolder.resolve("kernel-counters.csv"))) {
            if (r.get("configuration").startsWith(configurationPrefix) && r.get("host").equals(host) && r.get("counter").equals(counter)) {
                return Long.parseLong(r.get(column));
            }
        }
        throw new AssertionError("no " + host + " " + counter + " for " + configurationPrefix);
    }

    /** Sum of one outcomes.csv column over the measurement iterations of a configuration. */
    public static long measured(Path runFolder, String configurationPrefix, String column) throws IOException {
        try (Stream<Path> files = Files.list(runFolder.resolve("raw"))) {
            Path outcomes = files.filter(f -> f.getFileName().toString().startsWith(configurationPrefix)
                    && f.getFileName().toString().endsWith(".outcomes.csv")).findFirst()
                    .orElseThrow(() -> new AssertionError("no outcomes for " + configurationPrefix));
            return csv(outcomes).stream().filter(r -> r.get("phase").equals("measurement"))
                    .mapToLong(r -> Long.parseLong(r.get(column))).sum();
        }
    }

    /** The claims.csv rows of one experiment whose conditions and metric contain the given parts. */
    public static List<Map<String, String>> claims(List<Map<String, String>> claims, String experiment, String conditionsPart,
                                                   String metricPart) {
        return claims.stream().filter(c -> c.get("experiment").equals(experiment) && c.get("conditions").contains(conditionsPart)
                && c.get("metric").contains(metricPart)).toList();
    }

    /** The one claims.csv row that matches; fails the test when there is not exactly one. */
    public static Map<String, String> claim(List<Map<String, String>> claims, String experiment, String conditionsPart, String metricPart) {
        List<Map<String, String>> found = claims(claims, experiment, conditionsPart, metricPart);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " claims of " + experiment + " match '" + conditionsPart + "' / '" + metricPart + "': "
                    + (found.isEmpty() ? claims : found));
        }
        return found.get(0);
    }
}
