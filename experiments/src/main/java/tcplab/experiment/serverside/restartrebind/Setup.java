package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.Params;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.kernel.TcpModel;

/** A configuration's choices: SO_REUSEADDR on the old and the new listener, and what the old one leaves on the port. */
record Setup(boolean oldReuse, boolean newReuse, Leftover leftover) {

    static Setup of(Params p) {
        return new Setup(Boolean.parseBoolean(p.get("oldReuse")), Boolean.parseBoolean(p.get("newReuse")),
                p.choice("leftover", Leftover.class));
    }

    /** The model ({@link TcpModel#rebindAllowed}) for this many sockets left on the port. */
    boolean allowed(long leftSockets) {
        return TcpModel.rebindAllowed(oldReuse, newReuse, leftSockets > 0);
    }

    /** How the chart names the configuration. */
    String label() {
        return "old " + onOff(oldReuse) + ", new " + onOff(newReuse) + ", " + leftover;
    }

    static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
