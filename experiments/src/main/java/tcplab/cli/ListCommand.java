package tcplab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.Parameter;
import tcplab.plan.BenchmarkCatalog;
import tcplab.plan.MachineSpeed;
import tcplab.plan.Configuration;
import tcplab.plan.Plan;
import tcplab.plan.PlanException;
import tcplab.plan.PlanLoader;
import tcplab.profile.Profile;
import tcplab.profile.ProfileException;
import tcplab.profile.ProfileParser;
import tcplab.results.Format;

/** {@code tcplab list}: the profiles with their purpose, the plans, and the benchmarks with their parameters. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List profiles, plans and benchmarks.")
final class ListCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        Home home = Home.find();
        System.out.println("Profiles (sysctl-profiles/, use with PROFILE=NAME):");
        for (Path file : files(home.profiles(), ".conf")) {
            String name = file.getFileName().toString().replaceFirst("\\.conf$", "");
            try {
                Profile profile = ProfileParser.parse(file);
                System.out.printf(Locale.ROOT, "  %-24s %s%n", name, profile.purpose().isEmpty() ? "(no header comment)" : profile.purpose());
            } catch (ProfileException e) {
                System.out.printf(Locale.ROOT, "  %-24s INVALID: %s%n", name, e.problems().get(0));
            }
        }
        BenchmarkCatalog catalog = BenchmarkCatalog.load();
        System.out.println();
        MachineSpeed.measure();
        System.out.println("Plans (experiments/plans/, use with PLAN=NAME; times for this machine, its start-up work "
                + MachineSpeed.describe() + "):");
        for (Path file : files(home.plans(), ".json")) {
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                Plan plan = PlanLoader.load(file, catalog);
                List<Configuration> configurations = PlanLoader.expand(plan, catalog);
                Duration total = tcplab.run.Schedule.of(configurations, tcplab.run.Schedule.DEFAULT_SLOTS).expected();
                System.out.printf(Locale.ROOT, "  %-24s %s, about %s: %s%n", name, Format.count(configurations.size(), "configuration"),
                        Format.clock(total), plan.description());
            } catch (PlanException e) {
                System.out.printf(Locale.ROOT, "  %-24s INVALID: %s%n", name, e.getMessage());
            }
        }
        System.out.println();
        System.out.println("Benchmarks (benchmarks/target/benchmarks.jar; parameters and their declared values):");
        for (BenchmarkCatalog.Benchmark b : catalog.all()) {
            System.out.println("  " + b.name());
            b.params().forEach((k, v) -> System.out.printf(Locale.ROOT, "      %-18s %s%s%n", k, String.join(", ", v),
                    BenchmarkCatalog.LAB_PARAMS.contains(k) ? "  (set by the lab)" : ""));
        }
        System.out.println();
        System.out.println("Experiments (use in a plan's \"experiments\" list; parameters and their values):");
        for (Experiment e : ExperimentCatalog.all()) {
            System.out.printf(Locale.ROOT, "  %-24s %s (%s; paths %s)%n", e.name(), e.title(),
                    e.claims().isEmpty() ? "no claim of its own" : "claims " + String.join(", ", e.claims()),
                    String.join(", ", e.paths().stream().map(p -> p.label()).toList()));
            for (Parameter p : e.parameters()) {
                System.out.printf(Locale.ROOT, "      %-18s %s%n", p.name(), p.describe());
            }
        }
        return Main.OK;
    }

    private static List<Path> files(Path dir, String extension) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(extension)).sorted().toList();
        }
    }
}
