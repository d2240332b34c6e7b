package tcplab.plan;

import java.util.List;

/**
 * How long and how often JMH measures. Unset fields take the plan's value, and the plan's unset
 * fields take {@link #DEFAULTS}. Times use JMH's syntax: {@code 500ms}, {@code 2s}, {@code 1m}.
 *
 * @param timeout JMH's per-iteration timeout; past it JMH interrupts the benchmark thread
 */
public record JmhSettings(Integer forks, Integer warmupIterations, String warmupTime, Integer iterations, String time,
                          List<Integer> threads, String timeout) {

    public static final JmhSettings DEFAULTS = new JmhSettings(1, 1, "1s", 3, "1s", List.of(1), "30s");

    /** These settings, with the gaps filled from {@code base}. */
    public JmhSettings over(JmhSettings base) {
        if (base == null) {
            return this;
        }
        return new JmhSettings(
                forks != null ? forks : base.forks,
                warmupIterations != null ? warmupIterations : base.warmupIterations,
                warmupTime != null ? warmupTime : base.warmupTime,
                iterations != null ? iterations : base.iterations,
                time != null ? time : base.time,
                threads != null ? threads : base.threads,
                timeout != null ? timeout : base.timeout);
    }
}
