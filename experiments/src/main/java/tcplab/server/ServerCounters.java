package tcplab.server;

/**
 * The server's own view of what happened; written once a second and at exit, with the CPU its JVM
 * has used since it began serving ({@code cpu_ms}, user and system, every thread; its start-up
 * left out), so a report can give the server's CPU per connection beside the client's rate.
 */
public final class ServerCounters {
    public static final String[] COLUMNS = {
        "elapsed_ms", "accepted", "peer_closed", "closed_first", "answered", "resets", "errors", "open", "cpu_ms"
    };

    long accepted;
    long peerClosed;
    long closedFirst;
    long answered;
    long resets;
    long errors;
    long open;

    Object[] row(long elapsedMs, long cpuMs) {
        return new Object[] {elapsedMs, accepted, peerClosed, closedFirst, answered, resets, errors, open, cpuMs};
    }

    public long accepted() {
        return accepted;
    }

    public long peerClosed() {
        return peerClosed;
    }

    public long closedFirst() {
        return closedFirst;
    }

    public long answered() {
        return answered;
    }

    public long resets() {
        return resets;
    }

    public long errors() {
        return errors;
    }

    public long open() {
        return open;
    }
}
