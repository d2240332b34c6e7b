package tcplab.socket;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/**
 * A blocking TCP socket as a bare file descriptor, driven through the JDK's own native calls
 * ({@code sun.nio.ch.Net} and the socket dispatcher), each of which is one system call.
 *
 * <p>Why: {@code SocketChannel.connect} calls getsockname() twice after connect() and allocates a
 * channel, its locks and two addresses per connection. Measured on the 2-vCPU Xeon between two
 * namespaces, one thread, RST close against serve.c: SocketChannel 49-53k cycles/s, these calls
 * 58-62k, the C client 64k. A cycle here makes exactly the C client's calls: socket, the options,
 * connect, (write, read), close.
 *
 * <p>The price is reaching into {@code java.base}: the JVM needs
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} (both benchmarks' forks have it), and
 * the methods are JDK 17's. Where they cannot be reached, {@link #unavailable()} says why and
 * {@link Client} falls back to SocketChannel. Errors are the JDK's own exceptions (the same
 * ConnectException or BindException a channel throws, since channels make these very calls).
 */
final class DirectSocket implements java.io.Closeable {
    // IOStatus values the native calls return instead of a count (sun.nio.ch.IOStatus)
    private static final int EOF = -1;
    private static final int INTERRUPTED = -3;
    /** A blocking call a signal interrupts is retried; this bounds it. */
    private static final int MAX_RETRIES = 16;

    private static final MethodHandle SOCKET, SET_OPTION, CONNECT, WRITE, READ, CLOSE, ADDRESS;
    private static final String UNAVAILABLE;

    static {
        MethodHandle socket = null, setOption = null, connect = null, write = null, read = null, close = null, address = null;
        String why = null;
        try {
            Class<?> net = Class.forName("sun.nio.ch.Net");
            Class<?> files = Class.forName("sun.nio.ch.FileDispatcherImpl");
            Class<?> sockets = Class.forName("sun.nio.ch.SocketDispatcher");
            socket = handle(net, "socket", ProtocolFamily.class, boolean.class);
            setOption = handle(net, "setSocketOption", FileDescriptor.class, SocketOption.class, Object.class);
            connect = handle(net, "connect", ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class);
            write = handle(files, "write0", FileDescriptor.class, long.class, int.class);
            // the socket dispatcher's read turns ECONNRESET into "Connection reset", as a channel's does
            read = handle(sockets, "read0", FileDescriptor.class, long.class, int.class);
            close = handle(files, "close0", FileDescriptor.class);
            // a direct ByteBuffer is a DirectBuffer; the cast is checked where the handle is called
            address = handle(Class.forName("sun.nio.ch.DirectBuffer"), "address")
                    .asType(MethodType.methodType(long.class, ByteBuffer.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            why = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        SOCKET = socket;
        SET_OPTION = setOption;
        CONNECT = connect;
        WRITE = write;
        READ = read;
        CLOSE = close;
        ADDRESS = address;
        UNAVAILABLE = why;
    }

    private static MethodHandle handle(Class<?> owner, String name, Class<?>... parameters) throws ReflectiveOperationException {
        Method m = owner.getDeclaredMethod(name, parameters);
        m.setAccessible(true); // InaccessibleObjectException (a RuntimeException) without --add-opens
        return MethodHandles.lookup().unreflect(m);
    }

    /** Null when the calls can be made; otherwise why not, for a one-line warning. */
    static String unavailable() {
        return UNAVAILABLE;
    }

    private final FileDescriptor fd;

    private DirectSocket(FileDescriptor fd) {
        this.fd = fd;
    }

    /** socket(family, SOCK_STREAM): blocking, as a new channel's is. */
    static DirectSocket open(ProtocolFamily family) throws IOException {
        try {
            return new DirectSocket((FileDescriptor) SOCKET.invokeExact(family, true));
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    void setOption(SocketOption<?> option, Object value) throws IOException {
        try {
            SET_OPTION.invokeExact(fd, option, value);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    void connect(ProtocolFamily family, InetAddress address, int port) throws IOException {
        int n;
        try {
            n = (int) CONNECT.invokeExact(family, fd, address, port);
        } catch (Throwable t) {
            throw rethrown(t);
        }
        if (n != 1) { // EINTR on a blocking connect: the handshake goes on unwatched, so this cycle failed
            throw new IOException("connect() was interrupted by a signal (IOStatus " + n + ")");
        }
    }

    /** Writes all of {@code buffer} (a direct one), from its position to its limit: the count. */
    int write(ByteBuffer buffer) throws IOException {
        int written = 0;
        for (int tries = 0; buffer.hasRemaining(); tries++) {
            int n;
            try {
                n = (int) WRITE.invokeExact(fd, address(buffer) + buffer.position(), buffer.remaining());
            } catch (Throwable t) {
                throw rethrown(t);
            }
            if (n > 0) {
                buffer.position(buffer.position() + n);
                written += n;
            } else if (n != INTERRUPTED || tries >= MAX_RETRIES) {
                throw new IOException("write() returned IOStatus " + n);
            }
        }
        return written;
    }

    /** Reads into {@code buffer} (a direct one) up to its limit: the count, or -1 at the peer's FIN. */
    int read(ByteBuffer buffer) throws IOException {
        for (int tries = 0; ; tries++) {
            int n;
            try {
                n = (int) READ.invokeExact(fd, address(buffer) + buffer.position(), buffer.remaining());
            } catch (java.net.SocketException e) {
                // sun.net.ConnectionResetException, which a channel's read turns into this
                throw e.getClass().getName().equals("sun.net.ConnectionResetException") ? new java.net.SocketException("Connection reset") : e;
            } catch (Throwable t) {
                throw rethrown(t);
            }
            if (n > 0) {
                buffer.position(buffer.position() + n);
                return n;
            }
            if (n == EOF) {
                return -1;
            }
            if (n != INTERRUPTED || tries >= MAX_RETRIES) {
                throw new IOException("read() returned IOStatus " + n);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static long address(ByteBuffer buffer) throws IOException {
        try {
            return (long) ADDRESS.invokeExact(buffer);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** The native calls throw IOException; anything else is a bug and is not dressed up as one. */
    private static IOException rethrown(Throwable t) {
        if (t instanceof IOException) {
            return (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException(t);
    }
}
