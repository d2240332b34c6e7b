package tcplab.nativecompare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.results.Format;
import tcplab.results.Stats;

/**
 * What the rounds say, a pure function of the rows: per comparison, the median rate of each
 * contender, their ratio, the spread of the ratio round by round (each round pairs the two
 * measurements made one after the other), and whether the target is met. The ratio of medians is
 * the headline because a VM's rate jumps between levels from one measurement to the next (seen
 * here: 37k and 48k cycles/s in consecutive rounds of the same client); the rounds' range shows how
 * far that moves it.
 */
public final class Ratios {
    private Ratios() {
    }

    /** One comparison's figures; CPU medians are NaN where not measured. */
    public record Result(Comparison comparison, int rounds, double tcplab, double c, double ratio, double lowest, double highest,
                         long failed, double tcplabClientCpu, double cClientCpu, double tcplabServerCpu, double cServerCpu,
                         long tcplabSynRetransmits, long cSynRetransmits) {
        public boolean met() {
            return ratio >= comparison.target();
        }
    }

    /** In the order the comparisons first appear. */
    public static List<Result> of(List<Measurement> rows) {
        Map<Comparison, List<Measurement>> by = new LinkedHashMap<>();
        rows.forEach(m -> by.computeIfAbsent(m.comparison(), k -> new ArrayList<>()).add(m));
        List<Result> out = new ArrayList<>();
        by.forEach((comparison, ms) -> {
            Map<Integer, double[]> perRound = new LinkedHashMap<>();
            for (Measurement m : ms) {
                perRound.computeIfAbsent(m.round(), k -> new double[] {Double.NaN, Double.NaN})[m.contender().ordinal()] = m.okPerSecond();
            }
            List<Double> roundRatios = perRound.values().stream().filter(p -> !Double.isNaN(p[0]) && !Double.isNaN(p[1]) && p[1] > 0)
                    .map(p -> p[0] / p[1]).toList();
            double tcplab = median(ms, Comparison.Contender.TCPLAB, Measurement::okPerSecond);
            double c = median(ms, Comparison.Contender.C, Measurement::okPerSecond);
            out.add(new Result(comparison, roundRatios.size(), tcplab, c, c > 0 ? tcplab / c : Double.NaN,
                    roundRatios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                    roundRatios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                    ms.stream().mapToLong(Measurement::failed).sum(),
                    median(ms, Comparison.Contender.TCPLAB, Measurement::clientCpuMicrosPerCycle),
                    median(ms, Comparison.Contender.C, Measurement::clientCpuMicrosPerCycle),
                    median(ms, Comparison.Contender.TCPLAB, Measurement::serverCpuMicrosPerCycle),
                    median(ms, Comparison.Contender.C, Measurement::serverCpuMicrosPerCycle),
                    sum(ms, Comparison.Contender.TCPLAB), sum(ms, Comparison.Contender.C)));
        });
        return out;
    }

    /** SYNs sent again over every round: each one a connect() that waited an RTO (1 s) for its SYN-ACK. */
    private static long sum(List<Measurement> ms, Comparison.Contender who) {
        return ms.stream().filter(m -> m.contender() == who).mapToLong(Measurement::synRetransmits).sum();
    }

    private static double median(List<Measurement> ms, Comparison.Contender who, java.util.function.ToDoubleFunction<Measurement> value) {
        List<Double> values = ms.stream().filter(m -> m.contender() == who).map(value::applyAsDouble).filter(v -> !Double.isNaN(v)).toList();
        return values.isEmpty() ? Double.NaN : Stats.median(values);
    }

    /** The summary's table, in Markdown: what a reader quotes. */
    public static String table(List<Result> results) {
        StringBuilder s = new StringBuilder("| comparison | tcplab | C | ratio | rounds' range | target | CPU per cycle, client: tcplab / C"
                + " | server: tcplab / C | SYNs sent again: tcplab / C |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %s/s | %s/s | **%.3f** | %.3f–%.3f | %.2f %s | %s / %s | %s / %s | %d / %d |%n",
                    r.comparison().label(),
                    Format.number(r.tcplab()), Format.number(r.c()), r.ratio(), r.lowest(), r.highest(), r.comparison().target(),
                    r.met() ? "met" : "**missed**", cpu(r.tcplabClientCpu()), cpu(r.cClientCpu()), cpu(r.tcplabServerCpu()), cpu(r.cServerCpu()),
                    r.tcplabSynRetransmits(), r.cSynRetransmits()));
        }
        return s.toString();
    }

    private static String cpu(double micros) {
        return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, "%.1f µs", micros);
    }
}
