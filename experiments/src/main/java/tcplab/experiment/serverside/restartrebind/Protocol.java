package tcplab.experiment.serverside.restartrebind;

import tcplab.experiment.Message;

/** What the run side, the old server and the clients say to each other (the new server only says done). */
enum Protocol implements Message.Kind {
    /** old server → run side: it listens. */
    LISTENING,
    /** old server → run side: every connection is accepted. */
    ACCEPTED,
    /** run side → old server: close the listener, keep the connections. */
    DRAIN,
    /** old server → run side: its listener is closed. */
    DRAINED,
    /** run side → old server: close everything and exit. */
    EXIT,
    /** client → run side: every connection is open. */
    CONNECTED,
    /** run side → client: close every connection, {@link When} now or once the server's FIN arrives. */
    @Message.Keys("when") CLOSE,
    /** client → run side: they are closed. */
    CLOSED;

    enum When { NOW, ON_EOF }
}
