package tcplab.experiment;

import java.util.List;
import tcplab.experiment.serverside.AdminPortExperiment;
import tcplab.experiment.serverside.CloseWaitLeakExperiment;
import tcplab.experiment.serverside.ListenPortCollisionExperiment;
import tcplab.experiment.serverside.RestartRebindExperiment;
import tcplab.experiment.timeouts.AcceptOverflowExperiment;
import tcplab.experiment.timeouts.connecttimeout.ConnectTimeoutExperiment;
import tcplab.experiment.timeouts.DeadPeerExperiment;
import tcplab.experiment.timeouts.stuckwrite.StuckWriteExperiment;
import tcplab.experiment.timewait.PortExhaustionExperiment;
import tcplab.experiment.timewait.TimeWaitLifetimeExperiment;
import tcplab.experiment.timewait.PortRangeCostExperiment;
import tcplab.experiment.timewait.simultaneousclose.SimultaneousCloseExperiment;
import tcplab.experiment.timewait.TimeWaitScaleExperiment;

/** Every experiment tcplab has, by the name plans use. */
public final class ExperimentCatalog {
    private static final List<Experiment> ALL = List.of(
            new PortExhaustionExperiment(),
            new TimeWaitLifetimeExperiment(),
            new TimeWaitScaleExperiment(),
            new SimultaneousCloseExperiment(),
            new PortRangeCostExperiment(),
            new RestartRebindExperiment(),
            new ListenPortCollisionExperiment(),
            new AdminPortExperiment(),
            new CloseWaitLeakExperiment(),
            new ConnectTimeoutExperiment(),
            new AcceptOverflowExperiment(),
            new DeadPeerExperiment(),
            new StuckWriteExperiment());

    private ExperimentCatalog() {
    }

    public static List<Experiment> all() {
        return ALL;
    }

    public static Experiment find(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }
}
