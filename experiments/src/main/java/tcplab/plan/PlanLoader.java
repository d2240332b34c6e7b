package tcplab.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.runner.options.TimeValue;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.Parameter;
import tcplab.kernel.Sysctl;
import tcplab.lab.NetworkPath;
import tcplab.profile.Profile;
import tcplab.profile.ProfileEntry;

/** Reads a plan file, checks it against the benchmarks that exist, and expands it into configurations. */
public final class PlanLoader {
    static final Set<String> MODES = Set.of("thrpt", "sample", "avgt", "ss");
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** The file as written; {@link Plan} adds where it came from. */
    private record PlanFile(String description, JmhSettings jmh, Integer repetitions, List<Plan.BenchmarkEntry> benchmarks,
                            List<Plan.ExperimentEntry> experiments) {
    }

    private PlanLoader() {
    }

    public static Plan load(Path file, BenchmarkCatalog catalog) throws PlanException {
        String shown = file.toString();
        String fileName = file.getFileName() == null ? shown : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            throw new PlanException(shown + ": is a directory, not a plan (fix: give a .json plan file, e.g. experiments/plans/quick.json)");
        }
        if (!Files.isRegularFile(file)) {
            throw new PlanException(shown + ": no such plan (fix: use PLAN=quick or PLAN=full, or the path of a plan .json file)");
        }
        PlanFile parsed;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new PlanException(shown + ": " + Files.size(file) + " bytes is far too big for a plan (fix: check the path)");
            }
            parsed = JSON.readValue(file.toFile(), PlanFile.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            // Jackson's message names the source it was told to hide; the file and line are already said
            String message = e.getOriginalMessage().split("\n")[0].replaceAll("\\s*\\(start marker at \\[Source.*$", "")
                    .replaceAll("\\s*at \\[Source.*$", "");
            throw new PlanException(shown + where + ": " + message + " (fix: see experiments/plans/README.md for the plan format)");
        } catch (IOException e) {
            throw new PlanException(shown + ": cannot read: " + e.getMessage() + " (fix: check the path and its permissions)");
        }
        if (parsed == null) {
            throw new PlanException(shown + ": empty plan (fix: see experiments/plans/README.md)");
        }
        String name = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        Plan plan = new Plan(file, name, parsed.description() == null ? "" : parsed.description(),
                parsed.jmh() == null ? JmhSettings.DEFAULTS : parsed.jmh().over(JmhSettings.DEFAULTS),
                parsed.repetitions() == null ? 1 : parsed.repetitions(),
                parsed.benchmarks() == null ? List.of() : parsed.benchmarks(),
                parsed.experiments() == null ? List.of() : parsed.experiments());
        validate(plan, catalog, shown);
        return plan;
    }

    private static void validate(Plan plan, BenchmarkCatalog catalog, String shown) throws PlanException {
        int most = Math.max(plan.experiments().stream().filter(e -> e != null && e.repetitions() != null)
                .mapToInt(Plan.ExperimentEntry::repetitions).max().orElse(plan.repetitions()),
                plan.benchmarks().stream().filter(e -> e != null && e.repetitions() != null)
                .mapToInt(Plan.BenchmarkEntry::repetitions).max().orElse(plan.repetitions()));
        if (most > plan.repetitions()) {
            throw new PlanException(shown + ": an entry asks for " + most + " repetitions but the plan runs " + plan.repetitions()
                    + " (fix: raise the plan's \"repetitions\" or lower the entry's)");
        }
        if (plan.repetitions() < 1 || plan.repetitions() > 100) {
            throw new PlanException(shown + ": repetitions must be 1 to 100, got " + plan.repetitions() + " (fix: e.g. \"repetitions\": 3)");
        }
        checkSettings(plan.jmh(), shown + ": jmh");
        if (plan.benchmarks().isEmpty() && plan.experiments().isEmpty()) {
            throw new PlanException(shown + ": the plan lists no benchmarks and no experiments (fix: add entries under \"benchmarks\" or \"experiments\")");
        }
        for (int i = 0; i < plan.benchmarks().size(); i++) {
            Plan.BenchmarkEntry entry = plan.benchmarks().get(i);
            String where = shown + ": benchmarks[" + i + "]";
            if (entry == null || entry.benchmark() == null) {
                throw new PlanException(where + ": no \"benchmark\" name");
            }
            BenchmarkCatalog.Benchmark benchmark = catalog.find(entry.benchmark());
            if (benchmark == null) {
                throw new PlanException(where + ": unknown benchmark '" + entry.benchmark() + "' (fix: one of "
                        + String.join(", ", catalog.all().stream().map(BenchmarkCatalog.Benchmark::name).toList()) + "; `make list` shows them)");
            }
            nonEmpty(entry.modes(), where + ".modes");
            for (String mode : entry.modes()) {
                if (!MODES.contains(mode)) {
                    throw new PlanException(where + ".modes: unknown JMH mode '" + mode + "' (fix: thrpt or sample)");
                }
            }
            nonEmpty(entry.paths(), where + ".paths");
            for (String path : entry.paths()) {
                pathOf(path, where + ".paths");
            }
            if (entry.params() != null) {
                for (Map.Entry<String, List<String>> param : entry.params().entrySet()) {
                    checkParam(benchmark, param.getKey(), param.getValue(), where + ".params." + param.getKey());
                }
            }
            if (entry.jmh() != null) {
                checkSettings(entry.jmh().over(plan.jmh()), where + ".jmh");
            }
            checkSysctls(entry.sysctls(), where + ".sysctls");
            if (entry.repetitions() != null && (entry.repetitions() < 1 || entry.repetitions() > 100)) {
                throw new PlanException(where + ".repetitions must be 1 to 100, got " + entry.repetitions() + " (fix: e.g. \"repetitions\": 1)");
            }
        }
        for (int i = 0; i < plan.experiments().size(); i++) {
            Plan.ExperimentEntry entry = plan.experiments().get(i);
            String where = shown + ": experiments[" + i + "]";
            if (entry == null || entry.experiment() == null) {
                throw new PlanException(where + ": no \"experiment\" name");
            }
            if (entry.bound() != null) {
                long millis;
                try {
                    millis = BenchmarkConfiguration.millis(entry.bound());
                } catch (RuntimeException e) {
                    millis = -1;
                }
                if (millis < 1000 || millis > Duration.ofHours(24).toMillis()) {
                    throw new PlanException(where + ".bound: '" + entry.bound() + "' is not a duration from 1s to 24h (fix: e.g. \"bound\": \"5m\")");
                }
            }
            Experiment experiment = ExperimentCatalog.find(entry.experiment());
            if (experiment == null) {
                throw new PlanException(where + ": unknown experiment '" + entry.experiment() + "' (fix: one of "
                        + String.join(", ", ExperimentCatalog.all().stream().map(Experiment::name).toList()) + "; `make list` shows them)");
            }
            for (String path : paths(entry, experiment)) {
                NetworkPath p = pathOf(path, where + ".paths");
                if (!experiment.paths().contains(p)) {
                    throw new PlanException(where + ".paths: " + experiment.name() + " runs on " + experiment.paths().stream()
                            .map(NetworkPath::label).toList() + ", not " + path);
                }
            }
            if (entry.params() != null) {
                for (Map.Entry<String, List<String>> param : entry.params().entrySet()) {
                    Parameter declared = experiment.parameter(param.getKey());
                    String at = where + ".params." + param.getKey();
                    if (declared == null) {
                        throw new PlanException(at + ": " + experiment.name() + " has no parameter '" + param.getKey() + "' (fix: one of "
                                + String.join(", ", experiment.parameters().stream().map(Parameter::name).toList()) + ")");
                    }
                    nonEmpty(param.getValue(), at);
                    for (String value : param.getValue()) {
                        String problem = value == null ? "empty value" : declared.problem(value);
                        if (problem != null) {
                            throw new PlanException(at + ": " + problem + " (fix: `make list` shows each experiment's parameters)");
                        }
                    }
                }
            }
            checkSysctls(entry.sysctls(), where + ".sysctls");
            if (entry.repetitions() != null && (entry.repetitions() < 1 || entry.repetitions() > 100)) {
                throw new PlanException(where + ".repetitions must be 1 to 100, got " + entry.repetitions() + " (fix: e.g. \"repetitions\": 3)");
            }
        }
    }

    /**
     * Sysctls a plan sets on top of the profile: net.* keys this machine has, values not empty. What
     * the kernel accepts inside a namespace is checked with the profile, before anything runs.
     */
    private static void checkSysctls(Map<String, List<String>> sysctls, String where) throws PlanException {
        if (sysctls == null) {
            return;
        }
        for (Map.Entry<String, List<String>> e : sysctls.entrySet()) {
            Sysctl key = Sysctl.of(e.getKey());
            String at = where + "." + e.getKey();
            if (!key.isWellFormed() || !key.isNet()) {
                throw new PlanException(at + ": only per-namespace net.* sysctls can be swept (fix: a full name such as net.ipv4.tcp_tw_reuse)");
            }
            // a key that only newer kernels have may be swept anywhere: where it is missing, its configurations are skipped
            if (!key.exists() && tcplab.kernel.KernelFeatures.of(key.name()).isEmpty()) {
                throw new PlanException(at + ": this kernel has no such sysctl (fix: check the name against `sysctl -a`)");
            }
            nonEmpty(e.getValue(), at);
            for (String value : e.getValue()) {
                if (value == null || value.isBlank()) {
                    throw new PlanException(at + ": empty value");
                }
            }
        }
    }

    /** Every sysctl value the plan sweeps, as profile entries, so the kernel can be asked about each (line 0: the plan). */
    public static Profile sweptSysctls(Plan plan) {
        List<ProfileEntry> entries = new ArrayList<>();
        List<Map<String, List<String>>> all = new ArrayList<>();
        plan.benchmarks().forEach(b -> all.add(b.sysctls()));
        plan.experiments().forEach(e -> all.add(e.sysctls()));
        for (Map<String, List<String>> sysctls : all) {
            if (sysctls != null) {
                sysctls.forEach((k, values) -> values.stream().filter(v -> Sysctl.of(k).exists()) // a missing key's configurations are skipped
                        .forEach(v -> entries.add(new ProfileEntry(0, Sysctl.of(k), Sysctl.normalize(v)))));
            }
        }
        return new Profile(plan.file(), plan.name(), plan.description(), List.copyOf(entries), "");
    }

    private static List<String> paths(Plan.ExperimentEntry entry, Experiment experiment) {
        return entry.paths() == null || entry.paths().isEmpty() ? List.of(experiment.paths().get(0).label()) : entry.paths();
    }

    private static void checkParam(BenchmarkCatalog.Benchmark benchmark, String name, List<String> values, String where)
            throws PlanException {
        if (BenchmarkCatalog.LAB_PARAMS.contains(name)) {
            throw new PlanException(where + ": '" + name + "' is set by the lab, not by a plan (fix: remove it)");
        }
        if (!benchmark.params().containsKey(name)) {
            throw new PlanException(where + ": " + benchmark.name() + " has no parameter '" + name + "' (fix: one of "
                    + String.join(", ", benchmark.params().keySet().stream().filter(p -> !BenchmarkCatalog.LAB_PARAMS.contains(p)).toList()) + ")");
        }
        nonEmpty(values, where);
        for (String value : values) {
            if (value == null || value.isBlank()) {
                throw new PlanException(where + ": empty value (fix: give a value or remove the parameter)");
            }
            List<String> declared = benchmark.params().get(name);
            if (benchmark.isChoice(name) && !declared.contains(value)) {
                throw new PlanException(where + ": '" + value + "' is not one of " + String.join(", ", declared)
                        + " (fix: `make list` shows each benchmark's parameters)");
            }
        }
    }

    private static void checkSettings(JmhSettings jmh, String where) throws PlanException {
        if (jmh.forks() < 1 || jmh.forks() > 20) {
            throw new PlanException(where + ".forks must be 1 to 20, got " + jmh.forks());
        }
        if (jmh.warmupIterations() < 0 || jmh.warmupIterations() > 100 || jmh.iterations() < 1 || jmh.iterations() > 1000) {
            throw new PlanException(where + ": warmupIterations must be 0 to 100 and iterations 1 to 1000 (fix: e.g. 1 and 3)");
        }
        nonEmpty(jmh.threads(), where + ".threads");
        for (Integer threads : jmh.threads()) {
            if (threads == null || threads < 1 || threads > 256) {
                throw new PlanException(where + ".threads: each must be 1 to 256, got " + threads + " (fix: e.g. [1, 2])");
            }
        }
        for (String time : List.of(jmh.warmupTime(), jmh.time(), jmh.timeout())) {
            try {
                if (TimeValue.fromString(time).getTime() <= 0) {
                    throw new IllegalArgumentException("not positive");
                }
            } catch (RuntimeException e) {
                throw new PlanException(where + ": bad time '" + time + "' (fix: a number and a unit, e.g. 500ms, 2s, 1m)");
            }
        }
    }

    private static void nonEmpty(List<?> list, String where) throws PlanException {
        if (list == null || list.isEmpty()) {
            throw new PlanException(where + ": must list at least one value");
        }
    }

    private static NetworkPath pathOf(String path, String where) throws PlanException {
        try {
            return NetworkPath.of(path);
        } catch (IllegalArgumentException e) {
            throw new PlanException(where + ": unknown path '" + path + "' (fix: veth or loopback)");
        }
    }

    /** Every combination the plan names, in plan order, numbered from 1. */
    public static List<Configuration> expand(Plan plan, BenchmarkCatalog catalog) {
        List<Configuration> all = new ArrayList<>();
        for (int repetition = 1; repetition <= plan.repetitions(); repetition++) {
            for (Plan.BenchmarkEntry entry : plan.benchmarks()) {
                if (entry.repetitions() != null && repetition > entry.repetitions()) {
                    continue;
                }
                BenchmarkCatalog.Benchmark benchmark = catalog.find(entry.benchmark());
                JmhSettings jmh = entry.jmh() == null ? plan.jmh() : entry.jmh().over(plan.jmh());
                List<Map<String, String>> combinations = combinations(pinned(benchmark, entry.params()));
                List<Map<String, String>> sysctls = combinations(entry.sysctls() == null ? Map.of() : entry.sysctls());
                for (String path : entry.paths()) {
                    for (String mode : entry.modes()) {
                        for (int threads : jmh.threads()) {
                            for (Map<String, String> params : combinations) {
                                for (Map<String, String> overrides : sysctls) {
                                    all.add(new BenchmarkConfiguration(all.size() + 1, repetition, benchmark, mode, NetworkPath.of(path),
                                            threads, params, overrides, jmh));
                                }
                            }
                        }
                    }
                }
            }
            for (Plan.ExperimentEntry entry : plan.experiments()) {
                if (entry.repetitions() != null && repetition > entry.repetitions()) {
                    continue;
                }
                Experiment experiment = ExperimentCatalog.find(entry.experiment());
                List<Map<String, String>> sysctls = combinations(entry.sysctls() == null ? Map.of() : entry.sysctls());
                for (String path : paths(entry, experiment)) {
                    for (Map<String, String> params : combinations(entry.params() == null ? Map.of() : entry.params())) {
                        for (Map<String, String> overrides : sysctls) {
                            all.add(new ExperimentConfiguration(all.size() + 1, repetition, experiment, NetworkPath.of(path), params, overrides,
                                    entry.bound() == null ? null : Duration.ofMillis(BenchmarkConfiguration.millis(entry.bound()))));
                        }
                    }
                }
            }
        }
        return all;
    }

    /**
     * The values each configuration pins: the plan's, and for a choice the plan leaves out, every
     * declared value (as JMH would sweep them), so each combination gets its own fresh namespaces.
     * Single-valued parameters the plan leaves out keep their declared default.
     */
    static Map<String, List<String>> pinned(BenchmarkCatalog.Benchmark benchmark, Map<String, List<String>> planned) {
        Map<String, List<String>> pinned = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> declared : benchmark.params().entrySet()) {
            String name = declared.getKey();
            if (planned != null && planned.containsKey(name)) {
                pinned.put(name, planned.get(name));
            } else if (benchmark.isChoice(name)) {
                pinned.put(name, declared.getValue());
            }
        }
        return pinned;
    }

    /** The cross product of the parameter lists, first parameter varying slowest. */
    static List<Map<String, String>> combinations(Map<String, List<String>> params) {
        List<Map<String, String>> result = new ArrayList<>();
        result.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : result) {
                for (String value : param.getValue()) {
                    Map<String, String> extended = new LinkedHashMap<>(partial);
                    extended.put(param.getKey(), value);
                    next.add(extended);
                }
            }
            result = next;
        }
        return result;
    }
}
