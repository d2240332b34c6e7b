package tcplab.plan;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * The benchmarks benchmarks.jar holds and the parameters each declares, read from the list JMH's
 * annotation processor generates, so plans are checked against the real {@code @Param}s.
 */
public final class BenchmarkCatalog {
    /** Parameters the lab sets itself; a plan must not. */
    public static final List<String> LAB_PARAMS = List.of("profile", "target");

    /** One benchmark class. */
    public record Benchmark(String name, String className, String method, Map<String, List<String>> params) {
        /** JMH's include pattern for exactly this benchmark method. */
        public String includePattern() {
            return "^" + (className + "." + method).replace(".", "\\.") + "$";
        }

        /**
         * A parameter declared with several values is a choice among them (close modes, booleans);
         * one declared with a single default takes any value (a number, a target).
         */
        public boolean isChoice(String param) {
            return params.getOrDefault(param, List.of()).size() > 1;
        }
    }

    private final Map<String, Benchmark> benchmarks;

    private BenchmarkCatalog(Map<String, Benchmark> benchmarks) {
        this.benchmarks = benchmarks;
    }

    /** The benchmarks on tcplab's class path (benchmarks.jar is part of it). */
    public static BenchmarkCatalog load() {
        try (InputStream list = BenchmarkCatalog.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            if (list == null) {
                throw new IllegalStateException("no " + BenchmarkList.BENCHMARK_LIST + " on the class path: rebuild with `make build`");
            }
            return of(BenchmarkList.readBenchmarkList(list));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the benchmark list: " + e.getMessage(), e);
        }
    }

    static BenchmarkCatalog of(Collection<BenchmarkListEntry> entries) {
        Map<String, Benchmark> byName = new TreeMap<>();
        for (BenchmarkListEntry entry : entries) {
            String className = entry.getUserClassQName();
            String simple = className.substring(className.lastIndexOf('.') + 1);
            String method = entry.getUsername().substring(className.length() + 1);
            Map<String, List<String>> params = new LinkedHashMap<>();
            if (entry.getParams().hasValue()) {
                entry.getParams().get().forEach((k, v) -> params.put(k, Arrays.asList(v)));
            }
            byName.putIfAbsent(simple, new Benchmark(simple, className, method, params));
        }
        return new BenchmarkCatalog(byName);
    }

    public Benchmark find(String name) {
        Benchmark direct = benchmarks.get(name);
        if (direct != null) {
            return direct;
        }
        return benchmarks.values().stream().filter(b -> b.className().equals(name)).findFirst().orElse(null);
    }

    public Collection<Benchmark> all() {
        return benchmarks.values();
    }
}
