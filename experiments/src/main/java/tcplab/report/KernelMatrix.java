package tcplab.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import java.util.TreeSet;
import tcplab.chart.Markdown;
import tcplab.experiment.Claim;
import tcplab.kernel.KernelFeatures;
import tcplab.kernel.Sysctl;
import tcplab.results.Metadata;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * The kernel matrix (tcplab run-matrix): claims × kernels, each cell the verdict under that
 * kernel's own model with the measured and model values, the rows where the kernels differ first,
 * each with the reason the models give (the {@link KernelFeatures} one kernel has and the other
 * lacks). Then each kernel's release, package, boot parameters and sysctls. Recomputed from the runs'
 * raw files, like every report; the overlay comparison of the same runs goes into compare/.
 */
public final class KernelMatrix {
    public static final String METADATA = "matrix.json";
    public static final String MD = "matrix.md";
    public static final String HTML = "matrix.html";
    public static final String CSV = "matrix.csv";
    public static final String COMPARE = "compare";

    /** One kernel's run. */
    record Kernel(String label, RunData data, Map<String, String> settings, Map<String, Claim> claims, List<RunData.Result> skipped,
                  boolean emulated) {
    }

    /** How a claim's row stands across the kernels, the order the table shows them in. */
    enum Difference {
        MODEL("the models differ"), OUTCOME("the verdicts differ"), MISSING("not measured on every kernel"), NONE("");

        final String words;

        Difference(String words) {
            this.words = words;
        }
    }

    record Row(String key, Claim first, Difference difference, String why) {
    }

    private KernelMatrix() {
    }

    /** Writes matrix.md, matrix.html, matrix.csv into {@code matrix} and the overlay comparison into compare/. */
    public static void write(Path matrix, List<Path> folders, List<String> labels, List<Boolean> emulated) throws IOException {
        List<Kernel> kernels = new ArrayList<>();
        for (int i = 0; i < folders.size(); i++) {
            RunData data = RunData.load(new RunFolder(folders.get(i)));
            Map<String, Claim> claims = new LinkedHashMap<>();
            for (Claim c : ReportWriter.claims(data)) {
                claims.putIfAbsent(key(c), c);
            }
            List<RunData.Result> skipped = data.results().stream().filter(r -> "skipped".equals(r.status())).toList();
            kernels.add(new Kernel(labels.get(i), data, Comparison.effectiveSettings(data), claims, skipped, emulated.get(i)));
        }
        if (folders.size() > 1) {
            Comparison.write(folders, 0, matrix.resolve(COMPARE), labels);
        }
        List<Row> rows = rows(kernels);
        JsonNode meta = Files.isRegularFile(matrix.resolve(METADATA)) ? Metadata.read(matrix.resolve(METADATA)) : null;
        String md = markdown(kernels, rows, meta, folders.size() > 1);
        Files.writeString(matrix.resolve(MD), md, StandardCharsets.UTF_8);
        Files.writeString(matrix.resolve(HTML), ReportWriter.html(md, matrix, "tcplab kernel matrix: "
                + String.join(" vs ", labels)), StandardCharsets.UTF_8);
        writeCsv(matrix.resolve(CSV), kernels, rows);
    }

    /**
     * A claim row across kernels: its claim, metric and conditions, less the read-back values of the
     * keys only some kernels have ({@link KernelFeatures}), which would keep the same configuration
     * apart on two kernels.
     */
    /** Redraws a matrix from its matrix.json and its kernels' run folders (their own reports are left as they are). */
    public static void redraw(Path matrix) throws IOException {
        JsonNode meta = Metadata.read(matrix.resolve(METADATA));
        List<Path> folders = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Boolean> emulated = new ArrayList<>();
        for (JsonNode k : meta.path("kernels")) {
            if (k.has("run")) {
                Path run = matrix.resolve(k.path("run").asText());
                folders.add(run);
                String release = Metadata.read(run.resolve(RunFolder.METADATA)).path("machine").path("kernelRelease").asText("");
                labels.add(release.isEmpty() ? k.path("kernel").asText() : k.path("kernel").asText() + " (" + release + ")");
                emulated.add("tcg".equals(k.path("accelerator").asText()));
            }
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException(matrix + " holds no kernel's run (fix: see its " + METADATA + " for why each failed)");
        }
        write(matrix, folders, labels, emulated);
    }

    static String key(Claim c) {
        return c.claim() + "|" + c.experiment() + "|" + c.metric().id() + "|" + conditions(c);
    }

    /** The claim's conditions without the kernel-dependent keys' values. */
    static String conditions(Claim c) {
        List<String> kept = new ArrayList<>();
        for (String part : c.conditions().split(";")) {
            String k = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
            if (!part.isEmpty() && KernelFeatures.of(k).isEmpty()) {
                kept.add(part);
            }
        }
        return String.join(";", kept);
    }

    /** Every claim row any kernel has, classified and ordered: differing models first, then outcomes, then rows some kernel lacks. */
    static List<Row> rows(List<Kernel> kernels) {
        Set<String> keys = new LinkedHashSet<>();
        kernels.forEach(k -> keys.addAll(k.claims().keySet()));
        List<Row> rows = new ArrayList<>();
        for (String key : keys) {
            List<Claim> cells = kernels.stream().map(k -> k.claims().get(key)).toList();
            Claim first = cells.stream().filter(java.util.Objects::nonNull).findFirst().orElseThrow();
            Difference d;
            if (cells.contains(null)) {
                d = Difference.MISSING;
            } else if (cells.stream().map(KernelMatrix::modelText).distinct().count() > 1) {
                d = Difference.MODEL;
            } else if (cells.stream().map(Claim::verdict).distinct().count() > 1) {
                d = Difference.OUTCOME;
            } else {
                d = Difference.NONE;
            }
            rows.add(new Row(key, first, d, d == Difference.NONE ? "" : why(kernels, first, cells, d)));
        }
        rows.sort(Comparator.comparing(Row::difference).thenComparing(r -> r.first().claim(), KernelMatrix::byClaimNumber));
        return rows;
    }

    /** C2 before C10. */
    private static int byClaimNumber(String a, String b) {
        return Integer.compare(number(a), number(b));
    }

    private static int number(String claim) {
        try {
            return Integer.parseInt(claim.replaceAll("[^0-9]", ""));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String modelText(Claim c) {
        return c.modelOutcome() != null && !c.modelOutcome().isEmpty() ? c.modelOutcome() : String.format(Locale.ROOT, "%.6g", c.modelValue());
    }

    /**
     * Why a row differs: for a model, the kernel features one kernel lacks that change this claim's
     * prediction; for a verdict, emulation where a guest was emulated; for a missing row, the
     * kernel's reason for skipping, or that its claims function found another outcome.
     */
    private static String why(List<Kernel> kernels, Claim first, List<Claim> cells, Difference d) {
        List<String> reasons = new ArrayList<>();
        if (d == Difference.MODEL) {
            for (int i = 1; i < kernels.size(); i++) {
                Kernel a = kernels.get(0);
                Kernel b = kernels.get(i);
                for (KernelFeatures.Feature f : KernelFeatures.differing(a.settings(), b.settings(), Set.of(first.claim()))) {
                    Kernel lacking = a.settings().containsKey(f.sysctl()) ? b : a;
                    reasons.add(lacking.label() + " has no " + f.sysctl() + ": " + f.withoutIt() + " (" + f.source() + ")");
                }
            }
            if (reasons.isEmpty()) {
                reasons.add("the kernels' sysctls differ: see the settings below");
            }
        }
        if (d == Difference.OUTCOME) {
            List<String> emulated = kernels.stream().filter(Kernel::emulated).map(Kernel::label).toList();
            reasons.add(emulated.isEmpty() ? "measured, not predicted: the models agree, the kernels did not (see each run's report)"
                    : "the models agree; " + String.join(" and ", emulated) + " ran under software emulation, whose CPU time and speed are"
                            + " the emulator's: measure it under KVM before taking this for the kernel's");
        }
        if (d == Difference.MISSING) {
            for (int i = 0; i < kernels.size(); i++) {
                if (cells.get(i) == null) {
                    Kernel k = kernels.get(i);
                    String skip = k.skipped().stream().filter(r -> r.name().equals(first.experiment()))
                            .map(r -> r.row().getOrDefault("message", "")).findFirst().orElse(null);
                    reasons.add(k.label() + ": " + (skip != null ? skip
                            : "no such row: its claims function read another outcome from what it measured" + (k.emulated()
                                    ? " under software emulation, which is slower than the kernel" : "") + " (see its report)"));
                }
            }
        }
        return String.join("; ", new LinkedHashSet<>(reasons));
    }

    private static String cell(Claim c) {
        if (c == null) {
            return "—";
        }
        return "**" + c.verdict().word + "**: " + c.measured() + " (model " + c.model() + ")";
    }

    static String markdown(List<Kernel> kernels, List<Row> rows, JsonNode meta, boolean compared) {
        StringBuilder md = new StringBuilder("# Kernel matrix: " + String.join(" vs ", kernels.stream().map(Kernel::label).toList()) + "\n\n");
        String profile = meta == null ? "" : meta.path("profile").asText();
        String plan = meta == null ? "" : meta.path("plan").asText();
        long differing = rows.stream().filter(r -> r.difference() != Difference.NONE).count();
        md.append("Profile **").append(profile).append("**, plan **").append(plan).append("**, the same jars on every kernel. Each cell is that")
                .append(" kernel's verdict under its own model: the model reads the sysctls the kernel has, so a key one kernel lacks changes the")
                .append(" prediction, not the tolerance. ").append(differing).append(" of ").append(rows.size())
                .append(" claim rows differ between the kernels; they come first.\n\n");
        if (meta != null && "tcg".equals(meta.path("accelerator").asText())) {
            md.append("> The guests ran under QEMU's software emulation (TCG), not KVM. Their timers are the host's clock, so timer-bound")
                    .append(" claims (SYN schedules, TIME_WAIT, keepalive, retransmissions) compare; their rates and latencies (benchmarks,")
                    .append(" port-exhaustion rates) measure the emulator, not the kernel, and are not comparable with the host's.\n\n");
        }
        List<String> header = new ArrayList<>(List.of("claim", "what", "conditions"));
        kernels.forEach(k -> header.add(k.label()));
        header.add("why the kernels differ");
        Markdown.Table table = new Markdown.Table(header);
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(List.of(r.first().claim(), r.first().metric().label(), conditions(r.first())));
            kernels.forEach(k -> cells.add(cell(k.claims().get(r.key()))));
            cells.add(r.difference() == Difference.NONE ? "" : r.difference().words + ": " + r.why());
            table.row(cells.toArray());
        }
        md.append("## Claims by kernel\n\n").append(table.markdown()).append("\n");

        md.append("## The kernels\n\n");
        Markdown.Table runs = new Markdown.Table("kernel", "release", "package", "accelerator", "boot parameters", "boot to plan", "wall time",
                "run");
        JsonNode list = meta == null ? null : meta.path("kernels");
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            JsonNode m = list == null ? null : find(list, k.label());
            JsonNode machine = k.data().metadata().path("machine");
            runs.row(k.label(), machine.path("kernelRelease").asText(), m == null ? "" : (m.path("package").asText("this machine's")
                            + (m.has("packageVersion") ? " " + m.path("packageVersion").asText() : "")),
                    m == null ? "" : m.path("accelerator").asText("none (this machine)"), m == null ? "" : m.path("bootParameters").asText("—"),
                    m == null || !m.has("bootSeconds") ? "—" : m.path("bootSeconds").asText() + " s",
                    m == null ? "" : m.path("wallSeconds").asText() + " s",
                    "[" + k.data().folder().dir().getFileName() + "](" + (m != null && m.has("run") ? m.path("run").asText()
                            : k.data().folder().dir().toString()) + "/report.html)");
        }
        md.append(runs.markdown()).append("\n");

        Set<String> keys = new TreeSet<>();
        kernels.forEach(k -> keys.addAll(k.settings().keySet()));
        keys.retainAll(new TreeSet<>(Sysctl.RELEVANT));
        List<String> sh = new ArrayList<>(List.of("sysctl"));
        kernels.forEach(k -> sh.add(k.label()));
        Markdown.Table settings = new Markdown.Table(sh);
        for (String key : keys) {
            List<Object> cells = new ArrayList<>(List.of(key));
            kernels.forEach(k -> cells.add(k.settings().getOrDefault(key, "(absent)")));
            boolean differs = kernels.stream().map(k -> k.settings().getOrDefault(key, "(absent)")).distinct().count() > 1;
            if (differs) {
                cells.set(0, "**" + key + "**");
            }
            settings.row(cells.toArray());
        }
        md.append("### Their sysctls (as each kernel's lab read them back; in bold where they differ)\n\n").append(settings.markdown()).append("\n");
        if (compared) {
            md.append("Every configuration side by side, benchmarks included: [compare/comparison.html](" + COMPARE + "/" + Comparison.HTML + ").\n");
        }
        return md.toString();
    }

    private static JsonNode find(JsonNode list, String label) {
        for (JsonNode k : list) {
            if (label.equals(k.path("kernel").asText()) || label.startsWith(k.path("kernel").asText() + " (")) {
                return k;
            }
        }
        return null;
    }

    private static void writeCsv(Path file, List<Kernel> kernels, List<Row> rows) throws IOException {
        Files.deleteIfExists(file); // a redraw replaces it
        try (RunFolder.CsvLog csv = new RunFolder(file.getParent()).csv(file.getFileName().toString(), "claim", "experiment", "metric",
                "conditions", "kernel", "verdict", "measured", "model", "difference", "why")) {
            for (Row r : rows) {
                for (Kernel k : kernels) {
                    Claim c = k.claims().get(r.key());
                    csv.row(r.first().claim(), r.first().experiment(), r.first().metric().id(), conditions(r.first()), k.label(),
                            c == null ? "" : c.verdict().word, c == null ? "" : c.measuredBare(), c == null ? "" : c.modelBare(),
                            r.difference().name().toLowerCase(Locale.ROOT), r.why());
                }
            }
        }
    }
}
