package tcplab.experiment.timeouts.stuckwrite;

import tcplab.experiment.Message;

/** What the run side and the two agents say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: it listens. */
    LISTENING,
    /**
     * client → run side: the data flows (writing=true), or it cannot (writing=false: TCP_USER_TIMEOUT
     * cannot be set here, and {@code unavailable} says why). One kind, so the run side waits for either.
     * {@code probe}: the local port of the ladder's probe connection (WriterAgent), 0 when there is none.
     */
    @Message.Keys({"writing", "unavailable", "probe"}) STARTED,
    /** run side → client: the server host drops every packet since {@code at_ms} (epoch ms). */
    @Message.Keys("at_ms") FAULT,
    /** run side → server: done. */
    EXIT
}
