package tcplab.experiment;

import java.util.List;
import tcplab.experiment.serverside.adminport.AdminPortExperiment;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment;
import tcplab.experiment.serverside.listenportcollision.ListenPortCollisionExperiment;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment;
import tcplab.experiment.timeouts.acceptoverflow.AcceptOverflowExperiment;
import tcplab.experiment.timeouts.connecttimeout.ConnectTimeoutExperiment;
import tcplab.experiment.timeouts.deadpeer.DeadPeerExperiment;
import tcplab.experiment.timeouts.stuckwrite.StuckWriteExperiment;
import tcplab.experiment.timewait.portexhaustion.PortExhaustionExperiment;
import tcplab.experiment.timewait.portrangecost.PortRangeCostExperiment;
import tcplab.experiment.timewait.simultaneousclose.SimultaneousCloseExperiment;
import tcplab.experiment.timewait.timewaitlifetime.TimeWaitLifetimeExperiment;
import tcplab.experiment.timewait.timewaitscale.TimeWaitScaleExperiment;

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
