package tcplab.results;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Everything a run folder holds, read back from its raw files only. A run that was killed has
 * fewer rows, never broken ones (rows are flushed whole), so a partial run reads like a short one.
 */
public final class RunData {
    private final RunFolder folder;
    private final ObjectNode metadata;
    private final List<Result> results = new ArrayList<>();
    private final Map<String, Map<String, String>> clientSysctls = new LinkedHashMap<>();

    /** One configuration as it ran: its row in configurations.csv and what it left in the raw files. */
    public record Result(Map<String, String> row, Map<String, String> sysctls, Map<String, long[]> clientCounters,
                         Map<String, long[]> serverCounters, JmhResult jmh, List<Map<String, String>> outcomes,
                         Map<String, String> serverLastRow) {

        public String id() {
            return row.get("id");
        }

        /** {@code benchmark} or {@code experiment}. */
        public String type() {
            return row.getOrDefault("type", "benchmark");
        }

        public boolean isExperiment() {
            return type().equals("experiment");
        }

        /** The benchmark class's simple name or the experiment's name. */
        public String name() {
            return row.get("name");
        }

        public String mode() {
            return row.get("mode");
        }

        public String path() {
            return row.get("path");
        }

        public String status() {
            return row.get("status");
        }

        public int repetition() {
            return Integer.parseInt(row.getOrDefault("repetition", "1"));
        }

        /** The benchmark's or experiment's own parameters, in plan order. */
        public Map<String, String> params() {
            Map<String, String> params = new LinkedHashMap<>();
            pairs(row.get("conditions")).forEach((key, value) -> {
                if (!key.equals("path") && !key.equals("threads") && !key.startsWith("net.")) {
                    params.put(key, value);
                }
            });
            return params;
        }

        /** Sysctls the plan set on top of the profile, by full name. */
        public Map<String, String> overrides() {
            return pairs(row.getOrDefault("sysctls", ""));
        }

        private static Map<String, String> pairs(String joined) {
            Map<String, String> pairs = new LinkedHashMap<>();
            for (String pair : joined.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            return pairs;
        }

        public int threads() {
            return Integer.parseInt(row.getOrDefault("threads", "1"));
        }

        /** What varies, for chart axes: {@code CLIENT_FIN veth}, {@code CLIENT_FIN reuseAddr veth}, ... */
        public String label() {
            List<String> parts = new ArrayList<>();
            params().forEach((k, v) -> {
                if (v.equals("true")) {
                    parts.add(k);
                } else if (v.matches("-?\\d+")) {
                    parts.add(k + "=" + v); // a bare number says nothing without its name
                } else if (!v.equals("false") && !v.equals("NONE")) {
                    parts.add(v);
                }
            });
            overrides().forEach((k, v) -> parts.add(k.substring(k.lastIndexOf('.') + 1) + "=" + v));
            parts.add(path());
            if (threads() > 1) {
                parts.add(threads() + " threads");
            }
            return String.join(" ", parts);
        }

        /** What a legend may name: the parameters, the sysctls the plan set (by full name) and the path, in that order. */
        public Map<String, String> conditions() {
            Map<String, String> all = new LinkedHashMap<>(params());
            all.putAll(overrides());
            all.put("path", path());
            return all;
        }

        /** Configurations that differ only in repetition share this key. */
        public String groupKey() {
            return name() + "|" + mode() + "|" + row.get("conditions");
        }

        public long clientCounter(String name, int column) {
            long[] v = clientCounters.get(name);
            return v == null ? 0 : v[column];
        }

        public long serverCounter(String name, int column) {
            long[] v = serverCounters.get(name);
            return v == null ? 0 : v[column];
        }

        /** Sum of a column of outcomes.csv over the measurement iterations. */
        public long measured(String column) {
            return outcomes.stream().filter(o -> "measurement".equals(o.get("phase")))
                    .mapToLong(o -> Long.parseLong(o.getOrDefault(column, "0"))).sum();
        }

        /** The benchmark JVM's CPU per complete cycle over the measurement iterations (µs); NaN for runs made before it was counted. */
        public double clientCpuMicrosPerCycle() {
            return cpuMicrosPerCycle(outcomes, true);
        }

        /**
         * The tcplab server's CPU per cycle (µs), from when it began serving to its end (its counters'
         * last row): per connection it accepted, or per request it answered where there were more (a
         * kept-alive connection's requests). NaN without a server or for runs made before the server
         * counted its CPU.
         */
        public double serverCpuMicrosPerCycle() {
            String cpu = serverLastRow.get("cpu_ms");
            long cycles = Math.max(Long.parseLong(serverLastRow.getOrDefault("accepted", "0")),
                    Long.parseLong(serverLastRow.getOrDefault("answered", "0")));
            return cpu == null || cpu.isEmpty() || cycles == 0 ? Double.NaN : Double.parseDouble(cpu) * 1000.0 / cycles;
        }

        /** Whether it produced a result: a finished benchmark with JMH's results, or a finished experiment. */
        public boolean ok() {
            return "ok".equals(status()) && (isExperiment() || jmh != null);
        }
    }

    /**
     * CPU per complete cycle (µs) from outcomes.csv rows: each row holds the whole JVM's CPU over its
     * thread's iteration, so an iteration's CPU is the mean of its threads' rows (one process, nearly
     * the same window) and its cycles the sum of their {@code ok}. NaN when no row has {@code cpu_ns}
     * or no cycle completed.
     *
     * @param measuredOnly the measurement iterations only, or the warmup too
     */
    public static double cpuMicrosPerCycle(List<Map<String, String>> outcomes, boolean measuredOnly) {
        Map<String, double[]> byIteration = new LinkedHashMap<>(); // cpu sum, rows, ok
        for (Map<String, String> o : outcomes) {
            String cpu = o.get("cpu_ns");
            if (cpu == null || cpu.isEmpty() || (measuredOnly && !"measurement".equals(o.get("phase")))) {
                continue;
            }
            double[] it = byIteration.computeIfAbsent(o.get("fork_pid") + "|" + o.get("mode") + "|" + o.get("phase") + "|" + o.get("iteration"),
                    k -> new double[3]);
            it[0] += Double.parseDouble(cpu);
            it[1]++;
            it[2] += Double.parseDouble(o.getOrDefault("ok", "0"));
        }
        double cpuNs = 0;
        double ok = 0;
        for (double[] it : byIteration.values()) {
            cpuNs += it[0] / it[1];
            ok += it[2];
        }
        return ok > 0 ? cpuNs / ok / 1000.0 : Double.NaN;
    }

    /** Column indexes of the counter arrays. */
    public static final int BEFORE = 0;
    public static final int AFTER = 1;
    public static final int DELTA = 2;

    private RunData(RunFolder folder, ObjectNode metadata) {
        this.folder = folder;
        this.metadata = metadata;
    }

    public static RunData load(RunFolder folder) throws IOException {
        RunData data = new RunData(folder, Metadata.read(folder.file(RunFolder.METADATA)));
        Map<String, Map<String, String>> sysctls = new HashMap<>();
        for (CSVRecord r : records(folder.file(RunFolder.SYSCTLS))) {
            if (r.get("host").equals("client")) {
                sysctls.computeIfAbsent(r.get("configuration"), k -> new LinkedHashMap<>()).put(r.get("key"), r.get("value"));
            }
        }
        data.clientSysctls.putAll(sysctls);
        Map<String, Map<String, Map<String, long[]>>> counters = new HashMap<>();
        for (CSVRecord r : records(folder.file(RunFolder.COUNTERS))) {
            counters.computeIfAbsent(r.get("configuration"), k -> new HashMap<>())
                    .computeIfAbsent(r.get("host"), k -> new HashMap<>())
                    .put(r.get("counter"), new long[] {Long.parseLong(r.get("before")), Long.parseLong(r.get("after")),
                        Long.parseLong(r.get("delta"))});
        }
        for (CSVRecord r : records(folder.file(RunFolder.CONFIGURATIONS))) {
            Map<String, String> row = r.toMap();
            String id = row.get("id");
            Path json = folder.raw(id, ".jmh.json");
            JmhResult jmh = null;
            if (Files.isRegularFile(json) && Files.size(json) > 0) {
                try {
                    List<JmhResult> parsed = JmhResult.read(json);
                    jmh = parsed.isEmpty() ? null : parsed.get(0);
                } catch (IOException unreadable) {
                    // written by hand or by an older tcplab; the configuration is reported as not measured
                }
            }
            List<Map<String, String>> outcomes = new ArrayList<>();
            for (CSVRecord o : records(folder.raw(id, ".outcomes.csv"))) {
                outcomes.add(o.toMap());
            }
            List<CSVRecord> server = records(folder.raw(id, ".server.csv"));
            Map<String, Map<String, long[]>> byHost = counters.getOrDefault(id, Map.of());
            data.results.add(new Result(row, sysctls.getOrDefault(id, Map.of()), byHost.getOrDefault("client", Map.of()),
                    byHost.getOrDefault("server", Map.of()), jmh, outcomes,
                    server.isEmpty() ? Map.of() : server.get(server.size() - 1).toMap()));
        }
        // rows come in the order configurations ended (side by side, a short one ends first): read them in the plan's
        data.results.sort(java.util.Comparator.comparingInt(r -> indexOf(r.row().get("index"))));
        return data;
    }

    private static int indexOf(String index) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException | NullPointerException written) {
            return Integer.MAX_VALUE;
        }
    }

    static List<CSVRecord> records(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader).getRecords();
        }
    }

    /** The rows of a configuration's {@code raw/ID.NAME.csv}; empty when it wrote none. */
    public List<Map<String, String>> rows(Result result, String name) throws IOException {
        return RunFolder.read(folder.raw(result.id(), "." + name + ".csv"));
    }

    public RunFolder folder() {
        return folder;
    }

    public ObjectNode metadata() {
        return metadata;
    }

    public List<Result> results() {
        return results;
    }

    /** The settings in effect in the first configuration's client host (every configuration starts from the same profile). */
    public Map<String, String> settings() {
        return results.isEmpty() ? Map.of() : results.get(0).sysctls();
    }

    /** Configurations whose client settings differ from the first one's; should be none. */
    /** The sysctls whose value read back in some configuration differs from the first's (the ones a plan sweeps), sorted. */
    public List<String> settingsThatDiffer() {
        java.util.Set<String> differ = new java.util.TreeSet<>();
        Map<String, String> first = settings();
        clientSysctls.values().forEach(values -> values.forEach((k, v) -> {
            if (!v.equals(first.get(k))) {
                differ.add(k);
            }
        }));
        return new ArrayList<>(differ);
    }
}
