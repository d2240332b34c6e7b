package tcplab.server;

import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;

/** What the tcplab server does with each accepted connection. */
public enum ClosePolicy {
    /** Read and discard until the client closes, then close: the client's close comes first. */
    READ_UNTIL_EOF(false, false),
    /** Close at once after accept: the server's FIN comes first and the server keeps TIME_WAIT. */
    CLOSE_FIRST(false, true),
    /** Answer every 1-byte request with 1 byte until the client closes, then close. */
    ANSWER(true, false),
    /** Answer one 1-byte request, then close first. */
    ANSWER_THEN_CLOSE(true, true),
    /**
     * Read until the client closes, then never close: the connection stays in CLOSE_WAIT here and the
     * client's side in FIN_WAIT_2, until the server stops.
     */
    HOLD_OPEN(false, false);

    public final boolean answers;
    public final boolean closesFirst;

    ClosePolicy(boolean answers, boolean closesFirst) {
        this.answers = answers;
        this.closesFirst = closesFirst;
    }

    /** The policy a client with this close mode and exchange expects. */
    public static ClosePolicy forClient(CloseMode mode, Exchange exchange) {
        boolean answers = exchange == Exchange.REQUEST;
        if (mode.serverClosesFirst()) {
            return answers ? ANSWER_THEN_CLOSE : CLOSE_FIRST;
        }
        return answers ? ANSWER : READ_UNTIL_EOF;
    }
}
