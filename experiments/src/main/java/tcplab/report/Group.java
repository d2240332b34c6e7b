package tcplab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import tcplab.results.RunData;
import tcplab.socket.FailureCause;

/**
 * The repetitions of one configuration, each run in its own fresh namespaces. With one
 * repetition the error is JMH's 99.9 % confidence half-width; with several, the spread of the
 * repetitions (the largest distance of any repetition from their mean), so the bar covers every run.
 */
public record Group(List<RunData.Result> runs) {

    /** Groups results by configuration, keeping the order they ran in; failed runs are kept but not measured. */
    public static List<Group> of(List<RunData.Result> results, String benchmark, String mode) {
        Map<String, List<RunData.Result>> byKey = new LinkedHashMap<>();
        for (RunData.Result r : results) {
            if (!r.isExperiment() && r.name().equals(benchmark) && r.mode().equals(mode)) {
                byKey.computeIfAbsent(r.groupKey(), k -> new ArrayList<>()).add(r);
            }
        }
        return byKey.values().stream().map(Group::new).toList();
    }

    public RunData.Result first() {
        return runs.get(0);
    }

    public String label() {
        return first().label();
    }

    public List<RunData.Result> measured() {
        return runs.stream().filter(RunData.Result::ok).toList();
    }

    public boolean hasData() {
        return !measured().isEmpty();
    }

    /** Whether it was measured more than once, so an error bar can span repetitions run in fresh namespaces. */
    public boolean repeated() {
        return measured().size() > 1;
    }

    public double mean(ToDoubleFunction<RunData.Result> value) {
        return measured().stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    /** Half-width of the error bar for {@code value}; {@code jmhError} gives JMH's own error for one run. */
    public double error(ToDoubleFunction<RunData.Result> value, ToDoubleFunction<RunData.Result> jmhError) {
        List<RunData.Result> m = measured();
        if (m.isEmpty()) {
            return Double.NaN;
        }
        if (m.size() == 1) {
            return jmhError.applyAsDouble(m.get(0));
        }
        double mean = mean(value);
        return m.stream().mapToDouble(r -> Math.abs(value.applyAsDouble(r) - mean)).max().orElse(Double.NaN);
    }

    /** Complete cycles per second (Throughput mode). */
    public double okRate() {
        return mean(r -> r.jmh().counter("ok"));
    }

    public double okError() {
        return error(r -> r.jmh().counter("ok"),
                r -> r.jmh().secondary().containsKey("ok") ? r.jmh().secondary().get("ok").error() : Double.NaN);
    }

    /** A SampleTime percentile in microseconds, keyed as JMH writes it ("50.0", "100.0"). */
    public double percentile(String key) {
        return mean(r -> r.jmh().percentiles().getOrDefault(key, Double.NaN));
    }

    /** Failed attempts of the measurement iterations, by cause, summed over repetitions. */
    public Map<String, Long> failures() {
        Map<String, Long> failed = new LinkedHashMap<>();
        for (FailureCause cause : FailureCause.values()) {
            long n = measured().stream().mapToLong(r -> r.measured(cause.counterName)).sum();
            if (n > 0) {
                failed.put(cause.counterName, n);
            }
        }
        return failed;
    }

    /** Complete cycles in the measurement iterations, summed over repetitions. */
    public long measuredOk() {
        return measured().stream().mapToLong(r -> r.measured("ok")).sum();
    }
}
