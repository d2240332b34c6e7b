package tcplab.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One result of JMH's JSON output: one benchmark in one mode with one set of parameters.
 *
 * @param percentiles for SampleTime: JMH's percentiles in microseconds, keyed as it writes them ("50.0", "99.9", "100.0")
 * @param secondary   the {@code Outcomes} counters and anything else JMH reported beside the score
 */
public record JmhResult(String benchmark, String mode, int threads, int forks, Map<String, String> params,
                        Metric primary, Map<String, Double> percentiles, Map<String, Metric> secondary,
                        double warmupSeconds, double measurementSeconds, List<String> jvmArgs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A score with its 99.9 % confidence half-width (NaN when JMH had too few samples) and unit. */
    public record Metric(double score, double error, String unit) {
    }

    public static List<JmhResult> read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        List<JmhResult> results = new ArrayList<>();
        if (root == null || !root.isArray()) {
            return results;
        }
        for (JsonNode node : root) {
            Map<String, String> params = new LinkedHashMap<>();
            node.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            JsonNode primary = node.path("primaryMetric");
            Map<String, Double> percentiles = new LinkedHashMap<>();
            primary.path("scorePercentiles").fields().forEachRemaining(e -> percentiles.put(e.getKey(), e.getValue().asDouble()));
            Map<String, Metric> secondary = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.path("secondaryMetrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                secondary.put(e.getKey(), metric(e.getValue()));
            }
            String benchmark = node.path("benchmark").asText();
            List<String> jvmArgs = new ArrayList<>();
            node.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
            double scale = toMicros(primary.path("scoreUnit").asText());
            percentiles.replaceAll((k, v) -> v * scale);
            results.add(new JmhResult(benchmark, node.path("mode").asText(), node.path("threads").asInt(),
                    node.path("forks").asInt(), params, metric(primary), percentiles, secondary,
                    seconds(node.path("warmupTime").asText()), seconds(node.path("measurementTime").asText()), jvmArgs));
        }
        return results;
    }

    /** JMH writes iteration times like "1 s" or "500 ms". */
    static double seconds(String time) {
        String[] parts = time.trim().split("\\s+");
        if (parts.length != 2) {
            return Double.NaN;
        }
        double n = Double.parseDouble(parts[0]);
        switch (parts[1]) {
            case "ms":
                return n / 1000;
            case "min":
                return n * 60;
            case "us":
                return n / 1e6;
            default:
                return n;
        }
    }

    /** Factor from a time unit such as "us/op" to microseconds; 1 when it is not a time. */
    static double toMicros(String unit) {
        if (unit.startsWith("ns/")) {
            return 1e-3;
        }
        if (unit.startsWith("ms/")) {
            return 1e3;
        }
        if (unit.startsWith("s/")) {
            return 1e6;
        }
        return 1;
    }

    private static Metric metric(JsonNode node) {
        return new Metric(node.path("score").asDouble(Double.NaN), node.path("scoreError").asDouble(Double.NaN),
                node.path("scoreUnit").asText());
    }

    /** The benchmark class's simple name, e.g. ConnectCloseBenchmark. */
    public String benchmarkName() {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
    }

    /** A secondary counter's score, 0 when JMH did not report it (a counter that never moved). */
    public double counter(String name) {
        Metric m = secondary.get(name);
        return m == null || Double.isNaN(m.score()) ? 0 : m.score();
    }
}
