package tcplab.plan;

import java.time.Duration;
import java.util.Map;
import tcplab.experiment.Experiment;
import tcplab.experiment.Params;
import tcplab.lab.NetworkPath;

/** One experiment with one value per parameter; {@code boundOverride}, when not null, is the plan's hard bound for it. */
public record ExperimentConfiguration(int index, int repetition, Experiment experiment, NetworkPath path,
                                      Map<String, String> params, Map<String, String> sysctls, Duration boundOverride) implements Configuration {

    /**
     * Namespaces, settings read back, counters before and after: about 1 s on the 2 GHz Xeon, 0.4 s
     * on the AMD EPYC (the quick plan's CPU-bound experiments, 2026-12-03): the figure at
     * {@link MachineSpeed#REFERENCE}, scaled to the machine like the rest of the work.
     */
    static final Duration SETUP_OVERHEAD = Duration.ofMillis(600);

    @Override
    public String type() {
        return EXPERIMENT;
    }

    @Override
    public String name() {
        return experiment.name();
    }

    @Override
    public String mode() {
        return "";
    }

    @Override
    public int threads() {
        return 1;
    }

    /** The parameters with the experiment's defaults filled in. */
    public Params resolved() {
        return experiment.params(params);
    }

    @Override
    public Duration expected() {
        Duration all = experiment.expected(resolved(), sysctls);
        Duration work = experiment.work(resolved(), sysctls);
        return MachineSpeed.scaled(SETUP_OVERHEAD.plus(work)).plus(all.minus(work));
    }

    @Override
    public Duration bound() {
        return boundOverride != null ? boundOverride : experiment.bound(resolved(), sysctls);
    }
}
