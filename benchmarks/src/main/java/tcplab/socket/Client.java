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
 * <p>Per connection this makes the same system calls a minimal C client makes (socket, the
 * options asked for, connect, close) plus the one getsockname() that every Java channel does after
 * connect. It uses {@link SocketChannel} opened for the target's own address family: the
 * {@code java.net.Socket} default is a dual-stack IPv6 socket, and a connect timeout turns one
 * connect() into fcntl + connect + poll + fcntl. Buffers are direct and reused, so no copy per call.
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
    }

    public InetSocketAddress target() {
        return target;
    }

    /** One full cycle: connect, optional 1-byte exchange, wait for the server's FIN if it closes first, close. */
    public void cycle(CloseMode mode, Exchange exchange) throws IOException {
        try (SocketChannel channel = open()) {
            if (exchange == Exchange.REQUEST) {
                requestResponse(channel);
            }
            if (mode.serverClosesFirst()) {
                awaitEof(channel);
            }
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

    /** Sends one byte and waits for one byte back. */
    public void requestResponse(SocketChannel channel) throws IOException {
        request.clear();
        request.put((byte) '?').flip();
        channel.write(request);
        response.clear().limit(1);
        if (channel.read(response) < 0) {
            throw new EOFException("server closed the connection before answering the request");
        }
    }

    /** Reads until the server's FIN. */
    public void awaitEof(SocketChannel channel) throws IOException {
        long seen = 0;
        response.clear();
        int n;
        while ((n = channel.read(response)) >= 0) {
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
