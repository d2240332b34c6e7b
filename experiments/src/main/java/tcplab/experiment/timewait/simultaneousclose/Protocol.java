package tcplab.experiment.timewait.simultaneousclose;

import java.util.List;
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
    CLOSE("order"),
    /** agent → run side: they are closed. */
    CLOSED("order"),
    /** run side → agent: done. */
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
