package tcplab.socket;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The client side of one connection cycle, decided once and repeated without waste.
 *
 * <p>A {@link #cycle} makes the system calls a minimal C client makes and no others: socket, the
 * options asked for, connect, (write, read), close, through {@link DirectSocket}. Where the JVM
 * lacks {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, or a connect timeout needs a poll, it
 * uses a {@link SocketChannel} opened for the target's own address family instead, which calls
 * getsockname() twice after connect (the {@code java.net.Socket} default is a dual-stack IPv6
 * socket, and a connect timeout turns one connect() into fcntl + connect + poll + fcntl).
 * {@link #open} always gives a channel, for callers that keep the connection. Buffers are direct
 * and reused, so no copy per call.
 */
public final class Client {
    /** A server that should be closing but keeps sending is reported, not read forever. */
    private static final int MAX_BYTES_BEFORE_EOF = 1 << 20;

    private final InetSocketAddress target;
    private final ProtocolFamily family;
    private final boolean reuseAddr;
    private final int lingerSeconds;
    private final int connectTimeoutMs;
    private final ByteBuffer request = ByteBuffer.allocateDirect(1);
    private final ByteBuffer response = ByteBuffer.allocateDirect(256);
    private final boolean direct;

    /** Said once per JVM, by the first cycle that has to use a channel for want of the direct calls. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param lingerSeconds    SO_LINGER to set, or -1 to leave the option alone
     * @param connectTimeoutMs 0 lets the kernel's SYN retry schedule decide (fewest system calls)
     */
    public Client(InetSocketAddress target, boolean reuseAddr, int lingerSeconds, int connectTimeoutMs) {
        if (connectTimeoutMs < 0) {
            throw new IllegalArgumentException("connectTimeoutMs must be >= 0, got " + connectTimeoutMs);
        }
        this.target = target;
        this.family = Target.familyOf(target);
        this.reuseAddr = reuseAddr;
        this.lingerSeconds = lingerSeconds;
        this.connectTimeoutMs = connectTimeoutMs;
        // a connect timeout needs a channel's poll; everything else a cycle does, the direct calls do
        this.direct = connectTimeoutMs == 0 && DirectSocket.unavailable() == null;
    }

    /**
     * Whether {@link #cycle} makes the C client's system calls (true), or a channel's, with two
     * getsockname() calls more per connect (false: a connect timeout, or JDK internals not opened).
     */
    boolean direct() {
        return direct;
    }

    public InetSocketAddress target() {
        return target;
    }

    /** One full cycle: connect, optional 1-byte exchange, wait for the server's FIN if it closes first, close. */
    public void cycle(CloseMode mode, Exchange exchange) throws IOException {
        if (direct) {
            directCycle(mode, exchange);
            return;
        }
        if (connectTimeoutMs == 0 && !WARNED.getAndSet(true)) {
            System.err.println("tcplab: cycles use SocketChannel, two getsockname() calls per connect more than a C client:"
                    + " JDK internals unavailable (" + DirectSocket.unavailable() + "; fix: java --add-opens java.base/sun.nio.ch=ALL-UNNAMED)");
        }
        try (SocketChannel channel = open()) {
            exchange(channel::read, channel::write, mode, exchange);
        }
    }

    @FunctionalInterface
    private interface Io {
        int apply(ByteBuffer buffer) throws IOException;
    }

    /** After connect: the optional 1-byte request and answer, then the server's FIN if it closes first. */
    private void exchange(Io read, Io write, CloseMode mode, Exchange exchange) throws IOException {
        if (exchange == Exchange.REQUEST) {
            requestResponse(read, write);
        }
        if (mode.serverClosesFirst()) {
            awaitEof(read);
        }
    }

    /** Sends one byte and waits for one byte back. */
    public void requestResponse(SocketChannel channel) throws IOException {
        requestResponse(channel::read, channel::write);
    }

    private void requestResponse(Io read, Io write) throws IOException {
        request.clear();
        request.put((byte) '?').flip();
        write.apply(request);
        response.clear().limit(1);
        if (read.apply(response) < 0) {
            throw new EOFException("server closed the connection before answering the request");
        }
    }

    /** The same cycle on a bare descriptor: the C client's system calls and no others (see {@link DirectSocket}). */
    private void directCycle(CloseMode mode, Exchange exchange) throws IOException {
        try (DirectSocket socket = DirectSocket.open(family)) {
            if (reuseAddr) {
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
            }
            if (lingerSeconds >= 0) {
                socket.setOption(StandardSocketOptions.SO_LINGER, lingerSeconds); // Integer.valueOf's cache: no allocation
            }
            socket.connect(family, target.getAddress(), target.getPort());
            exchange(socket::read, socket::write, mode, exchange);
        }
    }

    /** A connected blocking channel with this client's options. */
    public SocketChannel open() throws IOException {
        return open(0);
    }

    /** The same from {@code localPort} (0: the kernel picks one), e.g. the one port a packet capture filters on. */
    public SocketChannel open(int localPort) throws IOException {
        SocketChannel channel = SocketChannel.open(family);
        try {
            if (reuseAddr) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (lingerSeconds >= 0) {
                channel.setOption(StandardSocketOptions.SO_LINGER, lingerSeconds);
            }
            if (localPort > 0) { // after the options: SO_REUSEADDR set after bind() would not apply to it
                channel.bind(new java.net.InetSocketAddress(family == java.net.StandardProtocolFamily.INET6 ? "::" : "0.0.0.0", localPort));
            }
            if (connectTimeoutMs > 0) {
                channel.socket().connect(target, connectTimeoutMs);
            } else {
                channel.connect(target);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Reads until the server's FIN. */
    public void awaitEof(SocketChannel channel) throws IOException {
        awaitEof(channel::read);
    }

    private void awaitEof(Io read) throws IOException {
        long seen = 0;
        response.clear();
        int n;
        while ((n = read.apply(response)) >= 0) {
            seen += n;
            if (seen > MAX_BYTES_BEFORE_EOF) {
                throw new IOException("server kept sending instead of closing (SERVER_FIN needs a server that closes first)");
            }
            response.clear();
        }
    }

    public static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the cycle already failed; the cause that matters was recorded
        }
    }
}
