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
        MODEL("the models differ"), EMULATED("not comparable: emulated"), OUTCOME("the verdicts differ"),
        MISSING("a different row on one kernel"), NONE("");

        final String words;

        Difference(String words) {
            this.words = words;
        }
    }

    record Row(String key, Claim first, Difference difference, String why) {
    }

    /** Defaults the kernel computes from its memory at boot. */
    static final List<String> MEMORY_SIZED = List.of("net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_wmem");

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
                // under software emulation CPU time and speed are the emulator's: such a verdict says nothing of the kernel
                d = kernels.stream().anyMatch(Kernel::emulated) ? Difference.EMULATED : Difference.OUTCOME;
            } else {
                d = Difference.NONE;
            }
            rows.add(new Row(key, first, d, d == Difference.NONE ? "" : why(kernels, first, cells, d)));
        }
        // within a kind of difference: by claim, then a configuration's rows together
        rows.sort(Comparator.comparing(Row::difference).thenComparing(r -> r.first().claim(), KernelMatrix::byClaimNumber)
                .thenComparing(r -> conditions(r.first())).thenComparing(r -> r.first().metric().label()));
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
            reasons.add("measured, not predicted: the models agree, the kernels did not (see each run's report)");
        }
        if (d == Difference.EMULATED) {
            List<String> emulated = kernels.stream().filter(Kernel::emulated).map(Kernel::label).toList();
            reasons.add("the models agree; " + String.join(" and ", emulated) + " ran under software emulation, whose CPU time and speed"
                    + " are the emulator's, not the kernel's: run it under KVM before reading this as a difference between kernels");
        }
        if (d == Difference.MISSING) {
            for (int i = 0; i < kernels.size(); i++) {
                if (cells.get(i) == null) {
                    Kernel k = kernels.get(i);
                    String skip = k.skipped().stream().filter(r -> r.name().equals(first.experiment()))
                            .map(r -> r.row().getOrDefault("message", "")).findFirst().orElse(null);
                    reasons.add(k.label() + ": " + (skip != null ? skip
                            : "the same configuration ran there but ended in another state, so it is judged by another row (look for"
                                    + " the same conditions in the table)" + (k.emulated() ? "; under software emulation its client is"
                                    + " slower than the kernel, so a limit the other kernel reached may not be reached" : "")));
                }
            }
        }
        return String.join("; ", new LinkedHashSet<>(reasons));
    }

    /** Per experiment, the condition parts all its rows share: said once under the table instead of on every row. */
    static Map<String, Set<String>> commonConditions(List<Row> rows) {
        Map<String, Set<String>> common = new java.util.TreeMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Row r : rows) {
            Set<String> parts = new LinkedHashSet<>(List.of(conditions(r.first()).split(";")));
            parts.remove("");
            common.merge(r.first().experiment(), parts, (a, b) -> {
                a.retainAll(b);
                return a;
            });
            count.merge(r.first().experiment(), 1, Integer::sum);
        }
        common.keySet().removeIf(e -> count.get(e) < 2); // a single row keeps its conditions
        return common;
    }

    /** The row's own conditions, less those its experiment's rows share, with "; " so the cell can wrap. */
    static String shownConditions(Claim c, Set<String> common) {
        List<String> parts = new ArrayList<>();
        for (String p : conditions(c).split(";")) {
            if (!p.isEmpty() && (common == null || !common.contains(p))) {
                parts.add(shortKey(p));
            }
        }
        return parts.isEmpty() ? "—" : String.join("; ", parts);
    }

    private static String shortKey(String part) {
        return part.replaceFirst("^net\\.ipv4\\.", "");
    }

    private static String cell(Claim c) {
        if (c == null) {
            return "—";
        }
        String band = Double.isNaN(c.low()) || Double.isNaN(c.high()) || Double.isInfinite(c.high()) ? ""
                : " · accepts " + Claim.number(c.low()) + "–" + Claim.number(c.high()) + (c.metric().unit().isEmpty() ? "" : " " + c.metric().unit());
        return "**" + c.verdict().word + "** measured " + c.measured() + " · model " + c.model() + band;
    }

    static String markdown(List<Kernel> kernels, List<Row> rows, JsonNode meta, boolean compared) {
        StringBuilder md = new StringBuilder("# Kernel matrix: " + String.join(" vs ", kernels.stream().map(Kernel::label).toList()) + "\n\n");
        String profile = meta == null ? "" : meta.path("profile").asText();
        String plan = meta == null ? "" : meta.path("plan").asText();
        Map<Difference, Long> kinds = new java.util.EnumMap<>(Difference.class);
        rows.forEach(r -> kinds.merge(r.difference(), 1L, Long::sum));
        md.append("Profile **").append(profile).append("**, plan **").append(plan).append("**, the same jars on every kernel. Each cell is that")
                .append(" kernel's verdict under its own model: the model reads the sysctls the kernel has, so a key one kernel lacks changes the")
                .append(" prediction, not the tolerance. Of ").append(rows.size()).append(" claim rows, ")
                .append(kinds.getOrDefault(Difference.MODEL, 0L)).append(" differ because the kernels' models do, ")
                .append(kinds.getOrDefault(Difference.EMULATED, 0L) + kinds.getOrDefault(Difference.OUTCOME, 0L))
                .append(" in their verdicts, and ").append(kinds.getOrDefault(Difference.MISSING, 0L))
                .append(" exist on one kernel only; they come first, in that order.\n\n")
                .append("A verdict: **agrees**, the measurement is within the band the model accepts, at the claim's own settings and horizon;")
                .append(" **consistent**, within the band, but with sysctls scaled down or a window short of the claim's horizon (the row says")
                .append(" which); **differs**, outside it; **skipped**, not measured. \"measured\" is what this run saw, \"model\" what the")
                .append(" kernel's rules predict from that kernel's sysctls, \"accepts\" the band.\n\n");
        if (meta != null && "tcg".equals(meta.path("accelerator").asText())) {
            md.append("> The guests ran under QEMU's software emulation (TCG), not KVM. Their timers are the host's clock, so timer-bound")
                    .append(" claims (SYN schedules, TIME_WAIT, keepalive, retransmissions) compare; their rates and latencies (benchmarks,")
                    .append(" port-exhaustion rates) measure the emulator, not the kernel, and are not comparable with the host's.\n\n");
        }
        List<String> header = new ArrayList<>(List.of("claim", "what", "conditions"));
        kernels.forEach(k -> header.add(k.label()));
        header.add("differs");
        Markdown.Table table = new Markdown.Table(header);
        // each reason once, as a numbered note under the table: a row names its note
        List<String> notes = new ArrayList<>();
        Map<String, Set<String>> common = commonConditions(rows);
        for (Row r : rows) {
            Claim f = r.first();
            // the model at the defaults is each kernel's own: 131 s with linear SYN timeouts, 127 s without
            Map<String, String> atDefaults = new LinkedHashMap<>();
            kernels.forEach(k -> {
                Claim c = k.claims().get(r.key());
                if (c != null && c.modelAtDefaults() != null && !c.modelAtDefaults().isEmpty()) {
                    atDefaults.put(k.label().replaceFirst(" \\(.*", ""), c.modelAtDefaults());
                }
            });
            String defaults = atDefaults.isEmpty() ? "" : new LinkedHashSet<>(atDefaults.values()).size() == 1
                    ? "; at the defaults the model says " + atDefaults.values().iterator().next()
                    : "; at the defaults the model says " + String.join(", ", atDefaults.entrySet().stream().map(e -> e.getKey() + " "
                            + e.getValue()).toList());
            String scaled = f.scaled() == null || f.scaled().isEmpty() ? "" : " (scaled" + defaults + ")";
            List<Object> cells = new ArrayList<>(List.of(f.claim(), f.metric().label(), shownConditions(f, common.get(f.experiment())) + scaled));
            kernels.forEach(k -> cells.add(cell(k.claims().get(r.key()))));
            String note = "";
            if (r.difference() != Difference.NONE) {
                String text = r.difference().words + ": " + r.why();
                if (!notes.contains(text)) {
                    notes.add(text);
                }
                note = r.difference().words.replaceFirst("^the ", "") + " (" + (notes.indexOf(text) + 1) + ")";
            }
            cells.add(note);
            table.row(cells.toArray());
        }
        md.append("## Claims by kernel\n\n").append(table.markdown()).append("\n");
        if (!notes.isEmpty()) {
            md.append("Why they differ:\n\n");
            for (int i = 0; i < notes.size(); i++) {
                md.append(i + 1).append(". ").append(notes.get(i)).append("\n");
            }
            md.append("\n");
        }
        common.forEach((experiment, parts) -> {
            if (!parts.isEmpty()) {
                md.append("- **").append(experiment).append("**, every row: ").append(String.join("; ", parts.stream().map(KernelMatrix::shortKey).toList()))
                        .append("\n");
            }
        });
        md.append("\n");

        md.append("## The kernels\n\n");
        Markdown.Table runs = new Markdown.Table("kernel", "release", "package", "accelerator", "memory, CPUs", "boot parameters",
                "boot to plan", "wall time", "run");
        JsonNode list = meta == null ? null : meta.path("kernels");
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            JsonNode m = list == null ? null : find(list, k.label());
            JsonNode machine = k.data().metadata().path("machine");
            runs.row(k.label(), machine.path("kernelRelease").asText(), m == null ? "" : (m.path("package").asText("this machine's")
                            + (m.has("packageVersion") ? " " + m.path("packageVersion").asText() : "")),
                    m == null ? "" : m.path("accelerator").asText("none (this machine)"),
                    (m != null && m.has("memoryMiB") ? m.path("memoryMiB").asText() + " MiB" : machine.path("memory").asText()) + ", "
                            + (m != null && m.has("cpus") ? m.path("cpus").asText() : machine.path("cpus").asText()),
                    m == null ? "" : m.path("bootParameters").asText("—").replaceAll("tcplab\\.out=\\S+", "tcplab.out=(its folder)"),
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
        List<String> sized = MEMORY_SIZED.stream().filter(key -> kernels.stream().map(k -> k.settings().getOrDefault(key, "")).distinct().count() > 1)
                .toList();
        if (!sized.isEmpty()) {
            md.append("The kernel sizes ").append(String.join(", ", sized)).append(" at boot from the memory it has (tcp_init and the")
                    .append(" connection hash table's size, net/ipv4/tcp.c), so a guest with ").append(tcplab.guest.Guest.MEMORY_MIB)
                    .append(" MiB starts from other values than this machine; a plan that depends on one sets it.\n\n");
        }
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
