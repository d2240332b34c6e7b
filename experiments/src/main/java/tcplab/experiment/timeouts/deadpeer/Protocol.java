package tcplab.experiment.timeouts.deadpeer;

import tcplab.experiment.Message;

/** What the run side and the two agents say to each other (the client's last word is the framework's done). */
enum Protocol implements Message.Kind {
    /** server → run side: it listens. */
    LISTENING,
    /**
     * client → run side: every mechanism's connection is open and idle; the local ports of the tuned
     * keepalive's and the heartbeat's connections, which the ladder's captures filter on (all four share the server port).
     */
    @Message.Keys({"keepalive_port", "heartbeat_port"}) READY,
    /** run side → client: the server failed at at_ms (epoch milliseconds); watch from there. */
    @Message.Keys("at_ms") FAULT,
    /** run side → server: close and end. */
    EXIT
}
