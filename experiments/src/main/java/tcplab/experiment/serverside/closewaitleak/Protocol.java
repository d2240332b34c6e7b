package tcplab.experiment.serverside.closewaitleak;

import tcplab.experiment.Message;

/** What the run side, the server and the client say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: it listens. */
    LISTENING,
    /** run side → server: close every connection it leaked. */
    CLOSE_LEAKED,
    /** server → run side: how many it closed, and how often accept() had failed. */
    @Message.Keys({"connections", "errors"}) CLOSED,
    /** client → run side: it takes commands. */
    READY,
    /** run side → client: the few early requests. */
    EARLY,
    /** client → run side: done; the source port of the first, to reconnect from. */
    @Message.Keys("port") EARLY_DONE,
    /** run side → client: a request from this source port. */
    @Message.Keys("port") RECONNECT,
    /** client → run side: what became of it (a {@link tcplab.experiment.LineRequest.Outcome}) and its handshake's µs. */
    @Message.Keys({"outcome", "connect_us"}) RECONNECTED,
    /** run side → client: requests at the rate, for the traffic phase. */
    TRAFFIC,
    /** run side → client: the requests once the server closed its leak. */
    AFTER,
    /** client → run side: they are done. */
    AFTER_DONE,
    /** run side → either: done. */
    EXIT
}
