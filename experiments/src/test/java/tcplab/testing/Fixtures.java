package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * One experiment's configurations in a recorded run folder under src/test/resources/fixtures, read
     * in place: a claims function writes nothing, so the fixture needs no copy.
     */
    public static tcplab.experiment.ExperimentData experiment(String fixture, String experiment) throws IOException {
        tcplab.experiment.Experiment e = tcplab.experiment.ExperimentCatalog.find(experiment);
        return new tcplab.experiment.ExperimentData(tcplab.results.RunData.load(new tcplab.results.RunFolder(
                Path.of("src/test/resources/fixtures", fixture))), e);
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

    /** Copies the folder {@code from} and everything below it to {@code to}, replacing what is there. */
    public static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    /** A claims.csv row's model as a reader sees it: the number, or the text outcome when there is none. */
    public static String model(Map<String, String> claim) {
        return claim.get("model").isEmpty() ? claim.get("model_outcome") : claim.get("model");
    }

    /** A claims.csv row's measurement: the number, or the text outcome when there is none. */
    public static String measured(Map<String, String> claim) {
        return claim.get("measured").isEmpty() ? claim.get("measured_outcome") : claim.get("measured");
    }

    /**
     * claims.csv of a real run, column by column as a script would read it: a stable metric id, numbers
     * where the quantity is a number and text outcomes apart, a configuration id that joins
     * configurations.csv and raw/, each condition once, a verdict from the vocabulary that says why
     * when it is not plain, a band that holds the measurement it passed, scaled sysctls with the
     * model at their defaults.
     */
    public static void assertClaimsColumns(Path run) throws IOException {
        List<Map<String, String>> rows = csv(run.resolve("claims.csv"));
        assertTrue(!rows.isEmpty(), "claims.csv has rows");
        assertEquals(List.of(tcplab.experiment.Claim.COLUMNS), List.copyOf(rows.get(0).keySet()), "claims.csv's columns");
        java.util.Set<String> ids = new java.util.HashSet<>();
        csv(run.resolve("configurations.csv")).forEach(c -> ids.add(c.get("id")));
        List<String> raw;
        try (Stream<Path> files = Files.list(run.resolve("raw"))) {
            raw = files.map(f -> f.getFileName().toString()).toList();
        }
        for (Map<String, String> c : rows) {
            String row = c.toString();
            assertTrue(c.get("metric_id").matches("[a-z][a-z0-9_]*"), "metric id: " + row);
            assertTrue(ids.contains(c.get("configuration")), "the configuration joins configurations.csv: " + row);
            assertTrue(raw.stream().anyMatch(f -> f.startsWith(c.get("configuration") + ".")), "and raw/: " + row);
            List<String> keys = java.util.Arrays.stream(c.get("conditions").split(";")).map(p -> p.substring(0, p.indexOf('='))).toList();
            assertEquals(new java.util.HashSet<>(keys).size(), keys.size(), "each condition once: " + row);
            for (String n : List.of("model", "measured", "low", "high")) {
                assertTrue(c.get(n).isEmpty() || c.get(n).matches("-?\\d+(\\.\\d+)?"), n + " is a number or empty: " + row);
            }
            assertTrue(c.get("measured").isEmpty() || c.get("measured_outcome").isEmpty(), "a number or a text outcome, not both: " + row);
            assertTrue(!(c.get("model").isEmpty() && c.get("measured").isEmpty()) || c.get("unit").isEmpty(), "text has no unit: " + row);
            assertTrue(!c.get("measured_outcome").matches(".* s s$"), "no doubled unit: " + row);
            String verdict = c.get("verdict");
            assertTrue(List.of("agrees", "consistent", "differs", "skipped").contains(verdict), "verdict: " + row);
            if (verdict.equals("consistent")) {
                assertTrue(!c.get("horizon").isEmpty(), "a consistent row says which horizon it stopped short of: " + row);
            }
            if (verdict.equals("agrees")) {
                assertTrue(c.get("horizon").isEmpty(), "agrees only at the claim's horizon: " + row);
            }
            if (verdict.equals("skipped")) {
                assertTrue(!c.get("explanation").isEmpty() && c.get("measured").isEmpty(), "a skipped row says why and shows no number: " + row);
            }
            if (!c.get("low").isEmpty()) {
                double low = Double.parseDouble(c.get("low"));
                double high = Double.parseDouble(c.get("high"));
                assertTrue(low <= high, "band: " + row);
                assertTrue(!c.get("band").isEmpty(), "a band says where it comes from: " + row);
                if ((verdict.equals("agrees") || verdict.equals("consistent")) && !c.get("measured").isEmpty()) {
                    double m = Double.parseDouble(c.get("measured"));
                    assertTrue(m >= low - 1e-6 && m <= high + 1e-6, "the band holds what it passed: " + row);
                }
            }
            assertEquals(c.get("scaled").isEmpty(), c.get("model_at_defaults").isEmpty(), "scaled sysctls come with the model at the defaults: " + row);
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
