package tcplab.report;

import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * Several runs side by side (usually one per profile, same plan): the benchmarks' throughput and
 * latency, the port-exhaustion time series, the timeouts and every claim, each with its ratio to a
 * baseline run, and the effective sysctls that differ between the runs. Everything is read from
 * the runs' raw files; the runs' own folders are not written. Comparing the same runs again gives
 * the same files.
 */
public final class Comparison {
    public static final String MD = "comparison.md";
    public static final String HTML = "comparison.html";
    public static final String TABLE = "comparison.csv";
    public static final String SYSCTLS = "sysctl-differences.csv";
    public static final String RUNS = "runs.csv";
    static final String[] TABLE_COLUMNS = {"section", "item", "metric", "unit", "run", "profile", "value", "error", "model", "verdict",
        "ratio_to_baseline"};

    /** One compared run: its name in tables and legends (the profile, or profile and run id when a profile repeats) and colour. */
    record Run(String name, String profile, String id, RunData data, List<Claim> claims, Map<String, String> settings, Color colour) {
    }

    /** One value of one run. {@code text} is what the run wrote (a claim's measured value may be words). */
    record Cell(double value, double error, String text, String model, String verdict) {
    }

    /** One compared quantity: a configuration or claim under a metric, with a cell per run (absent where a run lacks it). */
    record Row(String section, String item, String metric, String unit, Map<Integer, Cell> cells) {
        double ratio(int run, int baseline) {
            Cell c = cells.get(run);
            Cell b = cells.get(baseline);
            return c == null || b == null || Double.isNaN(c.value) || Double.isNaN(b.value) || b.value == 0 ? Double.NaN : c.value / b.value;
        }
    }

    private final List<Run> runs;
    private final int baseline;
    private final List<Row> rows = new ArrayList<>();

    private Comparison(List<Run> runs, int baseline) {
        this.runs = runs;
        this.baseline = baseline;
    }

    /**
     * Compares {@code folders} (run folders) into {@code out}, ratios against {@code folders[baseline]}.
     * Experiments' claims are recomputed from the raw files; nothing of the runs' own is drawn.
     */
    public static void write(List<Path> folders, int baseline, Path out) throws IOException {
        write(folders, baseline, out, null);
    }

    /** The same, with each run named by {@code names} (the kernel matrix names them by kernel) instead of by profile. */
    public static void write(List<Path> folders, int baseline, Path out, List<String> names) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(out);
        List<Run> runs = new ArrayList<>();
        Map<String, Long> profiles = new LinkedHashMap<>();
        List<RunData> loaded = new ArrayList<>();
        for (Path folder : folders) {
            RunData data = RunData.load(new RunFolder(folder));
            loaded.add(data);
            profiles.merge(profile(data), 1L, Long::sum);
        }
        for (int i = 0; i < loaded.size(); i++) {
            RunData data = loaded.get(i);
            String profile = profile(data);
            String id = data.metadata().path("runId").asText(data.folder().dir().getFileName().toString());
            String name = names != null ? names.get(i) : profiles.get(profile) > 1 ? profile + " " + id : profile;
            runs.add(new Run(name, profile, id, data, ReportWriter.claims(data), effectiveSettings(data), Plots.PALETTE[i % Plots.PALETTE.length]));
        }
        Comparison c = new Comparison(runs, baseline);
        c.collect();
        Path charts = out.resolve(Charts.DIR);
        RunFolder.deleteTree(charts); // a redraw leaves no chart of an earlier comparison behind
        c.writeTable(out.resolve(TABLE));
        c.writeSysctls(out.resolve(SYSCTLS));
        c.writeRuns(out.resolve(RUNS));
        String md = c.markdown(charts);
        Files.writeString(out.resolve(MD), md, StandardCharsets.UTF_8);
        Files.writeString(out.resolve(HTML), ReportWriter.html(md, out, "tcplab comparison: " + c.names()), StandardCharsets.UTF_8);
    }

    private static String profile(RunData data) {
        return data.metadata().path("profile").path("name").asText("?");
    }

    /**
     * The settings a run's profile gave, as read back in the lab: each key from the first
     * configuration that the plan did not override it in, so a plan's sweep is not taken for the
     * profile's value.
     */
    static Map<String, String> effectiveSettings(RunData data) {
        Map<String, String> settings = new TreeMap<>();
        for (RunData.Result r : data.results()) {
            r.sysctls().forEach((key, value) -> {
                if (!r.overrides().containsKey(key)) {
                    settings.putIfAbsent(key, value);
                }
            });
        }
        return settings;
    }

    private String names() {
        return String.join(" vs ", runs.stream().map(Run::name).toList());
    }

    private void collect() {
        benchmarkRows("ConnectCloseBenchmark", "", "throughput");
        benchmarkRows("ConnectionReuseBenchmark", "reuse ", "throughput");
        benchmarkRows("ConnectCloseBenchmark", "", "latency");
        benchmarkRows("ConnectionReuseBenchmark", "reuse ", "latency");
        claimRows();
    }

    private void benchmarkRows(String benchmark, String prefix, String section) {
        boolean thrpt = section.equals("throughput");
        String[][] metrics = thrpt ? new String[][] {{"ok", thrptMetric(benchmark)}} : new String[][] {{"50.0", "p50 latency"}, {"99.0", "p99 latency"}};
        for (String[] metric : metrics) {
            Map<String, Row> byKey = new LinkedHashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                for (Group g : Group.of(runs.get(i).data().results(), benchmark, thrpt ? "thrpt" : "sample")) {
                    Row row = byKey.computeIfAbsent(g.first().groupKey(), k -> new Row(section, prefix + g.label(), metric[1],
                            thrpt ? (benchmark.equals("ConnectionReuseBenchmark") ? "requests/s" : "cycles/s") : "µs", new TreeMap<>()));
                    if (!g.hasData()) {
                        row.cells().put(i, new Cell(Double.NaN, Double.NaN, "not measured: " + g.first().status(), "", ""));
                    } else if (thrpt) {
                        double v = g.okRate();
                        row.cells().put(i, new Cell(v, g.okError(), Format.number(v), "", ""));
                    } else {
                        double v = g.percentile(metric[0]);
                        row.cells().put(i, new Cell(v, Double.NaN, Format.micros(v), "", ""));
                    }
                }
            }
            rows.addAll(byKey.values());
        }
    }

    private static String thrptMetric(String benchmark) {
        return benchmark.equals("ConnectionReuseBenchmark") ? "requests per second" : "complete cycles per second";
    }

    /**
     * Claims are matched across runs by claim, experiment, metric and conditions, where a
     * condition the profile sets (a sysctl the plan does not sweep for that experiment) is left
     * out of the match: it is what differs between the runs, and the settings table shows it.
     */
    private void claimRows() {
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (Claim claim : run.claims()) {
                Set<String> swept = swept(run.data(), claim.experiment());
                String conditions = matchConditions(claim.conditions(), swept);
                String key = claim.claim() + "|" + claim.experiment() + "|" + claim.metric().id() + "|" + conditions;
                int n = seen.merge(key, 1, Integer::sum);
                String item = claim.claim() + " " + claim.experiment() + (conditions.isEmpty() ? "" : " " + conditions.replace(';', ' '));
                Row row = byKey.computeIfAbsent(key + "#" + n, k -> new Row("claims", item, claim.metric().label(), claim.metric().unit(),
                        new TreeMap<>()));
                row.cells().put(i, new Cell(claim.measuredValue(), Double.NaN, claim.measuredBare(), claim.modelBare(), claim.verdict().word));
            }
        }
        rows.addAll(byKey.values());
    }

    /** The sysctls a run's plan set for an experiment's configurations. */
    private static Set<String> swept(RunData data, String experiment) {
        Set<String> keys = new TreeSet<>();
        data.results().stream().filter(r -> r.isExperiment() && r.name().equals(experiment)).forEach(r -> keys.addAll(r.overrides().keySet()));
        return keys;
    }

    private static String matchConditions(String conditions, Set<String> swept) {
        List<String> kept = new ArrayList<>();
        for (String pair : conditions.split(";")) {
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!pair.isEmpty() && !pair.equals("path=veth") && (!key.startsWith("net.") || swept.contains(key))) {
                kept.add(key.startsWith("net.") ? pair.substring(pair.lastIndexOf('.', pair.indexOf('=')) + 1) : pair);
            }
        }
        return String.join(";", kept);
    }

    private void writeTable(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(TABLE_COLUMNS).get())) {
            for (Row row : rows) {
                for (Map.Entry<Integer, Cell> e : row.cells().entrySet()) {
                    Run run = runs.get(e.getKey());
                    Cell c = e.getValue();
                    csv.printRecord(row.section(), row.item(), row.metric(), row.unit(), run.name(), run.profile(),
                            Double.isNaN(c.value()) ? c.text() : exact(c.value()), Double.isNaN(c.error()) ? "" : exact(c.error()),
                            c.model(), c.verdict(), ratioText(row.ratio(e.getKey(), baseline), 4));
                }
            }
        }
    }

    /** A value for the CSV: six significant digits, never an exponent. */
    private static String exact(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** Every relevant sysctl whose effective value differs between the runs, one column per run. */
    private Map<String, List<String>> differences() {
        Set<String> keys = new TreeSet<>();
        runs.forEach(r -> keys.addAll(r.settings().keySet()));
        Map<String, List<String>> differ = new LinkedHashMap<>();
        for (String key : keys) {
            List<String> values = runs.stream().map(r -> r.settings().getOrDefault(key, "")).toList();
            if (new LinkedHashSet<>(values).size() > 1) {
                differ.put(key, values);
            }
        }
        return differ;
    }

    private void writeSysctls(Path file) throws IOException {
        List<String> header = new ArrayList<>(List.of("key"));
        runs.forEach(r -> header.add(r.name()));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
            for (Map.Entry<String, List<String>> e : differences().entrySet()) {
                List<String> record = new ArrayList<>(List.of(e.getKey()));
                record.addAll(e.getValue());
                csv.printRecord(record);
            }
        }
    }

    private void writeRuns(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("name", "profile", "run", "folder", "plan", "status",
                     "baseline").get())) {
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                csv.printRecord(r.name(), r.profile(), r.id(), r.data().folder().dir().toString(),
                        r.data().metadata().path("plan").path("name").asText(), r.data().metadata().path("status").asText(), i == baseline);
            }
        }
    }

    private String markdown(Path charts) throws IOException {
        Run base = runs.get(baseline);
        StringBuilder md = new StringBuilder("# tcplab comparison: " + names() + "\n\n");
        md.append(String.format(Locale.ROOT, "%d runs side by side; ratios are to **%s**. Each run measured its own profile in fresh"
                + " namespaces; a ratio compares the runs, and the spread of each run (error columns, error bars) says how much of a"
                + " difference is noise.%n%n", runs.size(), base.name()));
        runsTable(md);
        settingsTable(md);
        ComparisonCharts drawn = new ComparisonCharts(runs, new tcplab.chart.Figures(charts, tcplab.chart.Figures.Context.of("comparison of " + names())));
        section(md, "Connect/close throughput", "throughput", "complete cycles per second",
                drawn.bars("throughput", "Complete connect/close cycles per second by profile", "successful cycles / s",
                        select("throughput", "complete cycles per second"), true),
                "Read it: bars of one colour are one profile; taller is faster. Ratios below are to " + base.name() + ".");
        section(md, "Connection reuse", "throughput", "requests per second",
                drawn.bars("connection-reuse", "1-byte requests per second by profile", "requests / s",
                        select("throughput", "requests per second"), true), "");
        section(md, "Latency", "latency", "p50 latency",
                drawn.bars("latency-p50", "Median connect/close latency by profile", "p50 latency (µs)",
                        select("latency", "p50 latency"), false), "");
        section(md, "Latency", "latency", "p99 latency",
                drawn.bars("latency-p99", "99th-percentile connect/close latency by profile", "p99 latency (µs)",
                        select("latency", "p99 latency"), false), "Lower is better.");
        List<Drawn> exhaustion = drawn.exhaustion();
        if (!exhaustion.isEmpty()) {
            md.append("## Port exhaustion over time\n\nNew connections each second, one chart per configuration of the port-exhaustion"
                    + " experiment, one line per profile (C3, C4).\n\n");
            exhaustion.forEach(d -> md.append(d.markdown(Charts.DIR)));
        }
        List<Row> timeouts = rows.stream().filter(r -> r.section().equals("claims") && r.unit().equals("s")
                && ComparisonCharts.TIMEOUT_EXPERIMENTS.stream().anyMatch(e -> r.item().contains(" " + e))).toList();
        if (!timeouts.isEmpty()) {
            md.append("## Timeouts\n\nSeconds until a failure was noticed (C10, C11, C12), one chart per experiment; a category is named"
                    + " by the conditions that vary, the claims table below has them all, and the values in words (\"not within N s\"),"
                    + " which are not drawn.\n\n");
            drawn.timeouts(timeouts).forEach(d -> md.append(d.markdown(Charts.DIR)));
        }
        claimsTable(md);
        md.append("## Files\n\n").append(new Markdown.Table("file", "what it holds")
                .row("`" + TABLE + "`", "every compared value, one row per run: value, error, model, verdict, ratio to the baseline")
                .row("`" + SYSCTLS + "`", "the effective sysctls that differ between the runs")
                .row("`" + RUNS + "`", "the compared run folders")
                .row("`charts/`", "each chart as PNG and SVG").markdown()).append("\n");
        md.append("## Reproduce\n\nRedraw this comparison from the runs' raw files (nothing is re-run):\n\n```\nmake compare RUNS=\"")
                .append(String.join(" ", runs.stream().map(r -> Format.shown(r.data().folder().dir())).toList())).append("\"\n```\n\n")
                .append("Each run's own report says how to reproduce that run.\n");
        return md.toString();
    }

    private List<Row> select(String section, String metric) {
        return rows.stream().filter(r -> r.section().equals(section) && r.metric().equals(metric)).toList();
    }

    private void runsTable(StringBuilder md) {
        Markdown.Table table = new Markdown.Table("colour", "run", "profile", "run id", "plan", "status", "configurations", "kernel", "tcplab",
                "duration").numeric("configurations", "duration");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            var m = r.data().metadata();
            long measured = r.data().results().stream().filter(RunData.Result::ok).count();
            table.row(colourName(i), r.name() + (i == baseline ? " (baseline)" : ""), "`" + r.profile() + "`", "`" + r.id() + "`",
                    m.path("plan").path("name").asText(), m.path("status").asText(), measured + " of " + m.path("plan").path("configurations").asInt(),
                    m.path("machine").path("kernelRelease").asText(), m.path("tcplab").path("commit").asText(), ReportWriter.duration(m));
        }
        md.append("## Runs\n\n").append(table.markdown()).append("\n");
    }

    /** The Okabe-Ito colour names, in palette order. */
    private static String colourName(int i) {
        String[] names = {"blue", "orange", "green", "pink", "sky blue", "vermilion", "yellow", "black"};
        return names[i % names.length];
    }

    private void settingsTable(StringBuilder md) {
        Map<String, List<String>> differ = differences();
        md.append("## Settings that differ\n\n");
        if (differ.isEmpty()) {
            md.append("None: every relevant sysctl read back in the labs is the same in every run.\n\n");
            return;
        }
        md.append("Read back inside each run's lab (a value a plan set for some configurations only is not the profile's and is left"
                + " out).\n\n");
        List<String> header = new ArrayList<>(List.of("sysctl"));
        runs.forEach(r -> header.add(r.name()));
        Markdown.Table table = new Markdown.Table(header);
        differ.forEach((key, values) -> {
            List<Object> cells = new ArrayList<>(List.of("`" + key + "`"));
            values.forEach(v -> cells.add(v.isEmpty() ? "(not read)" : v));
            table.row(cells.toArray());
        });
        md.append(table.markdown()).append("\n");
    }

    private void section(StringBuilder md, String heading, String section, String metric, Drawn chart, String read) {
        List<Row> selected = select(section, metric);
        if (selected.isEmpty()) {
            return;
        }
        if (!md.toString().contains("## " + heading + "\n")) {
            md.append("## ").append(heading).append("\n\n");
        }
        if (chart != null) {
            md.append(chart.markdown(Charts.DIR));
        }
        if (!read.isEmpty()) {
            md.append(read).append("\n\n");
        }
        valueTable(md, selected, false);
    }

    /** A table with a column per run: the value (± error) and its ratio to the baseline. */
    private void valueTable(StringBuilder md, List<Row> selected, boolean claims) {
        List<String> header = new ArrayList<>(claims ? List.of("item", "metric", "model (" + runs.get(baseline).name() + ")")
                : List.of("configuration", "metric"));
        runs.forEach(r -> header.add(r.name()));
        Markdown.Table table = new Markdown.Table(header);
        for (int i = 0; i < runs.size(); i++) {
            table.numeric(header.size() - runs.size() + i);
        }
        for (Row row : selected) {
            List<Object> cells = new ArrayList<>(List.of(row.item(), row.metric() + (row.unit().isEmpty() ? "" : " (" + row.unit() + ")")));
            if (claims) {
                Cell b = row.cells().get(baseline);
                cells.add(b == null ? "" : b.model());
            }
            for (int i = 0; i < runs.size(); i++) {
                Cell c = row.cells().get(i);
                cells.add(c == null ? "—" : cellText(row, c, i));
            }
            table.row(cells.toArray());
        }
        md.append(table.markdown()).append("\n");
    }

    private String cellText(Row row, Cell c, int run) {
        StringBuilder s = new StringBuilder(c.text());
        if (!Double.isNaN(c.error()) && c.error() > 0) {
            s.append(" ± ").append(Format.number(c.error()));
        }
        if (!c.verdict().isEmpty()) {
            Cell b = row.cells().get(baseline);
            // a run whose model differs from the baseline's (another kernel, another profile) says its own
            boolean ownModel = run != baseline && b != null && c.model() != null && !c.model().isEmpty() && !c.model().equals(b.model());
            s.append(" (").append(c.verdict()).append(ownModel ? " of its model, " + c.model() : "").append(")");
        }
        double ratio = row.ratio(run, baseline);
        if (run != baseline && !Double.isNaN(ratio)) {
            s.append(" ×").append(ratioText(ratio, 3));
        }
        return s.toString();
    }

    private static String ratioText(double ratio, int digits) {
        return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%." + digits + "g", ratio);
    }

    private void claimsTable(StringBuilder md) {
        List<Row> claims = rows.stream().filter(r -> r.section().equals("claims")).toList();
        if (claims.isEmpty()) {
            return;
        }
        md.append("## Claims side by side\n\nEvery claims.csv row of every run, matched by claim, experiment, metric and the conditions the"
                + " plan set; the model is the baseline run's (a profile can change it). Each cell: measured (verdict) ×ratio to "
                + runs.get(baseline).name() + ". Each run's report explains its verdicts.\n\n");
        List<Row> sorted = new ArrayList<>(claims);
        sorted.sort(Comparator.comparing((Row r) -> r.item().matches("C\\d+ .*") ? Integer.parseInt(r.item().substring(1, r.item().indexOf(' ')))
                : Integer.MAX_VALUE));
        valueTable(md, sorted, true);
    }
}
