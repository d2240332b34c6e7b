package tcplab.experiment.serverside.adminport;

import tcplab.experiment.Message;

/** What the run side and the two agents say to each other. */
enum Protocol implements Message.Kind {
    /** server → run side: both ports listen. */
    LISTENING,
    /** client → run side: the management probes have started. */
    PROBING,
    /** run side → client: start the business traffic. */
    LOAD_START,
    /** run side → client: stop it. */
    LOAD_STOP,
    /** run side → server: the downstream recovers. */
    RELEASE,
    /** run side → agent: done. */
    EXIT
}
