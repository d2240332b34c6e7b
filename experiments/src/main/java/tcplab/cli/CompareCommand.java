package tcplab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tcplab.report.Comparison;
import tcplab.results.Metadata;
import tcplab.results.RunFolder;

/** {@code tcplab compare}: several runs side by side, from their raw files. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Set runs side by side: overlay charts, a table with ratios to a baseline run, and the effective",
                "sysctls that differ. Reads only the runs' raw files; nothing is re-run and the runs are not changed."},
        footer = {"", "Examples:",
                "  tcplab compare baseline tw-reuse                  # the latest run of each profile",
                "  tcplab compare reports/baseline/20261130T101500Z reports/tw-reuse/latest --baseline tw-reuse",
                "The last line printed is the comparison folder (reports/compare/ID/ unless --out)."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "1..*",
            description = "a run folder, or a profile name for its latest run (reports/NAME/latest); two or more")
    List<String> runs;

    @Option(names = "--baseline", paramLabel = "RUN", description = "the run the ratios are to: one of the RUNs as given, or its profile"
            + " (default: the first)")
    String baseline;

    @Option(names = "--out", paramLabel = "DIR", description = "the comparison folder (default: a new reports/compare/ID/); redrawing into"
            + " the same folder replaces its files")
    Path out;

    @Option(names = "--reports", paramLabel = "DIR", description = "where profile names are looked up and comparisons go (default: reports/)")
    Path reports;

    @Override
    public Integer call() throws Exception {
        Path root = reports != null ? reports : Home.find().reports();
        if (runs.size() < 2) {
            throw new IllegalArgumentException("compare needs two or more runs, got " + runs.size()
                    + " (fix: name another, e.g. tcplab compare baseline tw-reuse)");
        }
        List<Path> folders = new ArrayList<>();
        for (String run : runs) {
            folders.add(folder(root, run));
        }
        if (folders.stream().map(Path::toString).distinct().count() < folders.size()) {
            throw new IllegalArgumentException("the same run is named twice (fix: name each run once)");
        }
        int base = baselineIndex(folders);
        if (out != null) {
            checkOut(out, folders);
        }
        Path dir = out != null ? Files.createDirectories(out) : RunFolder.newFolder(root.resolve("compare"), Instant.now());
        Comparison.write(folders, base, dir.toRealPath());
        if (out == null) {
            new RunFolder(dir).markLatest();
        }
        System.out.println(RunCommand.shown(dir) + "/" + Comparison.HTML);
        return Main.OK;
    }

    /** --out is a new or empty folder or an earlier comparison: a redraw replaces a comparison's files and nothing else's. */
    private static void checkOut(Path out, List<Path> folders) throws java.io.IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file (fix: give a new folder, or an earlier comparison's)");
        }
        boolean comparison = Files.isRegularFile(out.resolve(Comparison.MD)) && Files.isRegularFile(out.resolve(Comparison.RUNS));
        boolean empty;
        try (var entries = Files.list(out)) {
            empty = entries.findAny().isEmpty();
        }
        if (!comparison && !empty || folders.contains(out.toRealPath())) {
            throw new IllegalArgumentException("--out " + out + " holds other files than a comparison's, which a comparison would replace"
                    + " (fix: give a new folder, or an earlier comparison's)");
        }
    }

    /** A run folder as given, or a profile's latest run. */
    private static Path folder(Path root, String run) throws java.io.IOException {
        Path given = Path.of(run);
        Path candidate = run.contains("/") || Files.isDirectory(given) && !Files.isDirectory(root.resolve(run)) ? given
                : root.resolve(run).resolve("latest");
        if (!Files.isRegularFile(candidate.resolve(RunFolder.METADATA))) {
            throw new IllegalArgumentException(run.contains("/")
                    ? run + " is not a run folder (no " + RunFolder.METADATA + ") (fix: give a folder printed by `make run-profile`)"
                    : "no run of profile '" + run + "' in " + RunCommand.shown(root) + " (fix: make run-profile PROFILE=" + run
                            + ", or give a run folder)");
        }
        return candidate.toRealPath();
    }

    private int baselineIndex(List<Path> folders) throws java.io.IOException {
        if (baseline == null) {
            return 0;
        }
        for (int i = 0; i < runs.size(); i++) {
            String profile = Metadata.read(folders.get(i).resolve(RunFolder.METADATA)).path("profile").path("name").asText();
            if (runs.get(i).equals(baseline) || profile.equals(baseline)) {
                return i;
            }
        }
        throw new IllegalArgumentException("--baseline " + baseline + " is none of the compared runs (fix: give one of "
                + String.join(", ", runs) + ")");
    }
}
