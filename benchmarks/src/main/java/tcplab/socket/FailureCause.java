package tcplab.socket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Locale;

/**
 * Why a connect/close cycle failed, as the kernel reported it. Java folds several errno values
 * into one exception type, so the strerror text Java carries is what tells them apart.
 */
public enum FailureCause {
    /** EADDRNOTAVAIL: no free local port for this destination (ephemeral ports exhausted). */
    ADDRESS_NOT_AVAILABLE("addrNotAvailable"),
    /** ECONNREFUSED: nothing listening, or the peer answered the SYN with RST (tcp_abort_on_overflow). */
    REFUSED("refused"),
    /** ETIMEDOUT (SYN retries used up) or the benchmark's own connect timeout or JMH's iteration timeout. */
    TIMED_OUT("timedOut"),
    /** ECONNRESET or EPIPE: the peer reset the connection. */
    RESET("reset"),
    /** Anything else; the first few distinct messages are printed by the benchmark. */
    OTHER("other");

    /** The name used for this cause in counters and CSV columns. */
    public final String counterName;

    FailureCause(String counterName) {
        this.counterName = counterName;
    }

    public static FailureCause of(IOException e) {
        if (e instanceof SocketTimeoutException || e instanceof ClosedByInterruptException) {
            return TIMED_OUT;
        }
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("cannot assign requested address")) {
            return ADDRESS_NOT_AVAILABLE;
        }
        if (message.contains("connection refused")) {
            return REFUSED;
        }
        if (message.contains("timed out")) {
            return TIMED_OUT;
        }
        if (message.contains("connection reset") || message.contains("broken pipe")) {
            return RESET;
        }
        return OTHER;
    }
}
