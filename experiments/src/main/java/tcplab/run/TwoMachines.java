package tcplab.run;

import tcplab.lab.Firewall;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.NetworkPath;
import tcplab.plan.Configuration;
import tcplab.plan.ExperimentConfiguration;

/** What a configuration of a two-machine run may do, and what each leaves on the server machine to clean up. */
final class TwoMachines {
    private TwoMachines() {
    }

    /** Why {@code c} cannot run between two real machines, or null when it can. */
    static String skipReason(Configuration c) {
        if (c.path() == NetworkPath.LOOPBACK) {
            return "a two-machine run measures the path between the machines; this configuration's loopback path is one machine's"
                    + " (namespace mode runs it)";
        }
        if (!c.sysctls().isEmpty()) {
            return "the plan sets " + String.join(", ", c.sysctls().keySet()) + " on top of the profile, which a two-machine run does not"
                    + " change on either machine (fix: put the values in the profile, or use namespace mode)";
        }
        if (c instanceof ExperimentConfiguration e && e.experiment().oneMachineOnly() != null) {
            return e.experiment().name() + " runs in one machine's lab only: " + e.experiment().oneMachineOnly();
        }
        return null;
    }

    /**
     * At the end of each configuration on two machines: the fault table removed from the server (a
     * namespace's would vanish with it), then the files its processes wrote there copied here once they
     * have ended. A failure is reported, not thrown: the configuration's own outcome stays what it was.
     */
    record Cleanup(Lab lab, String id) implements AutoCloseable {
        @Override
        public void close() {
            if (!lab.isTwoMachines()) {
                return;
            }
            try {
                Firewall.clearIfPresent(lab.server());
                lab.server().collect(id, true);
            } catch (LabException e) {
                System.out.println("        tcplab: WARNING: " + e.oneLine());
            }
        }
    }
}
