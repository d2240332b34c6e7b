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

    /**
     * One comparison's figures; CPU medians are NaN where not measured. {@code ratio} is of the
     * median rates; {@code pairedMedian} is the median of each round's own ratio, which a level jump
     * of one contender between rounds moves less: a reader sees both.
     */
    public record Result(Comparison comparison, int rounds, double tcplab, double c, double ratio, double lowest, double highest,
                         double pairedMedian, long failed, double tcplabClientCpu, double cClientCpu, double tcplabServerCpu, double cServerCpu,
                         long tcplabSynRetransmits, long cSynRetransmits) {
        /** Both ratios at the target or above: a level jump of C in one round must not carry a comparison over it. */
        public boolean met() {
            return ratio >= comparison.target() && pairedMedian >= comparison.target();
        }

        /** Whether a round had a SYN sent again: a connect() that waited 1 s, so its rate is partly the stall's. */
        public boolean stalled() {
            return tcplabSynRetransmits + cSynRetransmits > 0;
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
                    roundRatios.isEmpty() ? Double.NaN : Stats.median(roundRatios),
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

    /**
     * The summary's table, in Markdown: what a reader quotes. In the server rows both contenders have
     * the C client, and in the client rows both have the tcplab server: their CPU columns then compare
     * the same program under two different partners.
     */
    public static String table(List<Result> results) {
        StringBuilder s = new StringBuilder("| comparison | tcplab | C | ratio of the medians | median of the rounds' ratios"
                + " | rounds' range | target | client CPU per cycle, tcplab's run / C's | server CPU per cycle, tcplab's run / C's"
                + " | SYNs sent again in all rounds, tcplab's runs / C's |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %s/s | %s/s | **%.3f** | %.3f | %.3f–%.3f | %.2f %s%s | %s / %s | %s / %s | %d / %d |%n",
                    r.comparison().label(), Format.number(r.tcplab()), Format.number(r.c()), r.ratio(), r.pairedMedian(), r.lowest(),
                    r.highest(), r.comparison().target(), r.met() ? "met" : "**missed**", r.stalled() ? ", with stalls" : "",
                    cpu(r.tcplabClientCpu()), cpu(r.cClientCpu()), cpu(r.tcplabServerCpu()), cpu(r.cServerCpu()),
                    r.tcplabSynRetransmits(), r.cSynRetransmits()));
        }
        return s.toString();
    }

    private static String cpu(double micros) {
        return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, "%.1f µs", micros);
    }
}
