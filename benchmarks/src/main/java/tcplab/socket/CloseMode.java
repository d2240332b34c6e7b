package tcplab.socket;

/**
 * Who ends a connection, and how. The choice decides which side holds TIME_WAIT.
 */
public enum CloseMode {
    /** The client closes first with a FIN; the client holds TIME_WAIT for 60 s. */
    CLIENT_FIN,
    /** The server closes first; the client reads EOF, then closes; the server holds TIME_WAIT. */
    SERVER_FIN,
    /** The client sets SO_LINGER 0 and closes: an RST, no TIME_WAIT on either side. */
    CLIENT_RST,
    /**
     * The client sets SO_LINGER n &gt; 0: close() blocks until the FIN is acknowledged (at most n s).
     * The client still holds TIME_WAIT afterwards; lingering only makes close() synchronous.
     */
    CLIENT_LINGER;

    /** SO_LINGER value the client sets, or -1 to leave the option alone. */
    public int lingerSeconds(int configuredSeconds) {
        switch (this) {
            case CLIENT_RST:
                return 0;
            case CLIENT_LINGER:
                if (configuredSeconds <= 0) {
                    throw new IllegalArgumentException(
                            "CLIENT_LINGER needs lingerSeconds > 0 (0 would be CLIENT_RST), got " + configuredSeconds);
                }
                return configuredSeconds;
            default:
                return -1;
        }
    }

    public boolean serverClosesFirst() {
        return this == SERVER_FIN;
    }
}
