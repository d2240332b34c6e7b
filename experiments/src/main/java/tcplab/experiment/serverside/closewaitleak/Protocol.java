package tcplab.experiment.serverside.closewaitleak;

import java.util.List;
import tcplab.experiment.Message;

/** What the run side, the server and the client say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: it listens. */
    LISTENING,
    /** run side → server: close every connection it leaked. */
    CLOSE_LEAKED,
    /** server → run side: how many it closed, and how often accept() had failed. */
    CLOSED("connections", "errors"),
    /** client → run side: it takes commands. */
    READY,
    /** run side → client: the few early requests. */
    EARLY,
    /** client → run side: done; the source port of the first, to reconnect from. */
    EARLY_DONE("port"),
    /** run side → client: a request from this source port. */
    RECONNECT("port"),
    /** client → run side: what became of it (a {@link tcplab.experiment.LineRequest.Outcome}) and its handshake's µs. */
    RECONNECTED("outcome", "connect_us"),
    /** run side → client: requests at the rate, for the traffic phase. */
    TRAFFIC,
    /** run side → client: the requests once the server closed its leak. */
    AFTER,
    /** client → run side: they are done. */
    AFTER_DONE,
    /** run side → either: done. */
    EXIT;

    private final List<String> keys;

    Protocol(String... keys) {
        this.keys = List.of(keys);
    }

    @Override
    public List<String> keys() {
        return keys;
    }
}
