package tcplab.experiment.timeouts.stuckwrite;

import java.util.List;
import tcplab.experiment.Message;

/** What the run side and the two agents say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: it listens. */
    LISTENING,
    /**
     * client → run side: the data flows (writing=true), or it cannot (writing=false: TCP_USER_TIMEOUT
     * cannot be set here, and {@code unavailable} says why). One kind, so the run side waits for either.
     */
    STARTED("writing", "unavailable"),
    /** run side → client: the server host drops every packet since {@code at_ms} (epoch ms). */
    FAULT("at_ms"),
    /** run side → server: done. */
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
