package tcplab.socket;

/** What the client sends between connect() and close(). */
public enum Exchange {
    /** Nothing: a pure connect/close cycle. */
    NONE,
    /** One byte of request, one byte of response: the smallest real request. */
    REQUEST
}
