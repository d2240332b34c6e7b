package tcplab.experiment.timewait.simultaneousclose;

import tcplab.experiment.Message;

/** What the run side and the two agents say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: its three ports listen. */
    LISTENING,
    /** client → run side: every connection is open. */
    CONNECTED,
    /** server → run side: every connection is accepted. */
    ACCEPTED,
    /** run side → agent: close this order's connections. */
    @Message.Keys("order") CLOSE,
    /** agent → run side: they are closed. */
    @Message.Keys("order") CLOSED,
    /** run side → agent: done. */
    EXIT
}
