package tcplab.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * What the close policy does with each connection, the same over either engine's sockets
 * ({@code C}): each accepted connection is served at once when its data or FIN is already there,
 * so a fast client costs no epoll registration.
 */
abstract class PolicyServer<C> extends TcplabServer {
    /** Reads per readiness event; a connection that keeps sending waits for the next event. */
    private static final int READS_PER_EVENT = 16;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);

    PolicyServer(ClosePolicy policy, Duration lifetime) {
        super(policy, lifetime);
    }

    /** Reads what is there: the count, 0 when nothing is ready, -1 at the peer's FIN. */
    abstract int read(C connection, ByteBuffer into) throws IOException;

    abstract int write(C connection, ByteBuffer from) throws IOException;

    /** Watches the connection for its next data or FIN. */
    abstract void register(C connection) throws IOException;

    /** Stops watching it, and keeps it open until the server stops. */
    abstract void hold(C connection, boolean registered);

    /** Stops watching it and closes it. */
    abstract void release(C connection, boolean registered) throws IOException;

    /** Whether the exception is the ECONNRESET of a client's SO_LINGER 0 close. */
    abstract boolean isReset(IOException e);

    /** A connection accept just handed over. */
    final void accepted(C connection) {
        counters.accepted++;
        counters.open++;
        serve(connection, false);
    }

    /** Does what the policy says with whatever the connection has ready; registers it if it must wait. */
    final void serve(C connection, boolean registered) {
        if (policy == ClosePolicy.CLOSE_FIRST) {
            counters.closedFirst++;
            end(connection, registered);
            return;
        }
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                buffer.clear();
                int n = read(connection, buffer);
                if (n < 0) {
                    counters.peerClosed++;
                    if (policy == ClosePolicy.HOLD_OPEN) {
                        hold(connection, registered); // left in CLOSE_WAIT on purpose; closed when the server stops
                        return;
                    }
                    end(connection, registered);
                    return;
                }
                if (n == 0) {
                    break;
                }
                if (policy.answers) {
                    buffer.flip(); // one byte back for every byte of request
                    counters.answered += write(connection, buffer);
                    if (buffer.hasRemaining()) {
                        counters.errors++; // the client does not read its answers; not worth waiting for
                    }
                    if (policy.closesFirst) {
                        counters.closedFirst++;
                        end(connection, registered);
                        return;
                    }
                }
            }
            if (!registered) {
                register(connection);
            }
        } catch (IOException e) {
            countFailure(e, isReset(e));
            end(connection, registered);
        }
    }

    /** Closes a connection and counts it closed. */
    final void end(C connection, boolean registered) {
        try {
            release(connection, registered);
        } catch (IOException e) {
            counters.errors++;
        }
        counters.open--;
    }
}
