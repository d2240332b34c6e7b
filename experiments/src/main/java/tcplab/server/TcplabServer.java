package tcplab.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tcplab.socket.Target;

/**
 * The small server the benchmarks talk to: one selector thread, a close policy, its own counters
 * and a bounded lifetime. One thread is enough on two cores and keeps the server's share of the
 * CPU predictable; each accepted connection is served at once when its data or FIN is already
 * there, so a fast client costs no extra epoll registration.
 */
public final class TcplabServer implements Closeable {
    /** Accepts per wake-up, so a flood of connections cannot starve the reads. */
    private static final int ACCEPTS_PER_WAKE = 256;
    /** Reads per readiness event; a connection that keeps sending waits for the next event. */
    private static final int READS_PER_EVENT = 16;

    private final ClosePolicy policy;
    private final Duration lifetime;
    private final ServerCounters counters = new ServerCounters();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<SocketChannel> held = new ArrayList<>();
    private final Selector selector;
    private final CSVPrinter csv;
    private volatile boolean stopping;
    private long startNanos;

    /**
     * Binds at once, so a port conflict is reported by the constructor.
     *
     * @param countersCsv where to write one row of counters per second, or null
     */
    public TcplabServer(InetSocketAddress bind, ClosePolicy policy, int backlog, Duration lifetime, Path countersCsv)
            throws IOException {
        this(List.of(bind), policy, backlog, lifetime, countersCsv);
    }

    /** Listens on every address in {@code binds}; all share the policy and the counters. */
    public TcplabServer(List<InetSocketAddress> binds, ClosePolicy policy, int backlog, Duration lifetime, Path countersCsv)
            throws IOException {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
        }
        this.policy = policy;
        this.lifetime = lifetime;
        try {
            selector = Selector.open();
            for (InetSocketAddress bind : binds) {
                ServerSocketChannel listener = ServerSocketChannel.open(Target.familyOf(bind));
                listeners.add(listener);
                // Java turns SO_REUSEADDR on for server sockets by default on Linux; say so explicitly.
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(bind, backlog);
                listener.configureBlocking(false);
                listener.register(selector, SelectionKey.OP_ACCEPT);
            }
            csv = countersCsv == null ? null : openCsv(countersCsv);
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
            throw e;
        }
    }

    private static CSVPrinter openCsv(Path path) throws IOException {
        Writer writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        return new CSVPrinter(writer, CSVFormat.DEFAULT.builder().setHeader(ServerCounters.COLUMNS).get());
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) listeners.get(0).getLocalAddress();
    }

    /** Every address it listens on. */
    public List<InetSocketAddress> localAddresses() throws IOException {
        List<InetSocketAddress> all = new ArrayList<>();
        for (ServerSocketChannel listener : listeners) {
            all.add((InetSocketAddress) listener.getLocalAddress());
        }
        return all;
    }

    public ClosePolicy policy() {
        return policy;
    }

    /** Valid once {@link #run()} has returned. */
    public ServerCounters counters() {
        return counters;
    }

    /** Serves until {@link #stop()} or the end of the lifetime. */
    public void run() throws IOException {
        startNanos = System.nanoTime();
        long deadline = startNanos + lifetime.toNanos();
        long nextRow = startNanos + 1_000_000_000L;
        try {
            while (!stopping) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    break;
                }
                selector.select(Math.max(1, Math.min(250, (deadline - now) / 1_000_000)));
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll((ServerSocketChannel) key.channel());
                    } else if (key.isReadable()) {
                        serve((SocketChannel) key.channel(), key);
                    }
                }
                now = System.nanoTime();
                if (now - nextRow >= 0) {
                    writeRow(now);
                    nextRow = now + 1_000_000_000L;
                }
            }
        } finally {
            closeConnections();
            writeRow(System.nanoTime());
            if (csv != null) {
                csv.close();
            }
        }
    }

    /** Asks {@link #run()} to return; safe from any thread. */
    public void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        stop();
        for (ServerSocketChannel listener : listeners) {
            listener.close();
        }
        selector.close();
    }

    private void acceptAll(ServerSocketChannel listener) {
        for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                counters.errors++; // e.g. EMFILE: counted, and the loop goes on
                return;
            }
            if (channel == null) {
                return;
            }
            counters.accepted++;
            counters.open++;
            try {
                channel.configureBlocking(false);
            } catch (IOException e) {
                counters.errors++;
                closeConnection(channel, null);
                continue;
            }
            serve(channel, null);
        }
    }

    /** Does what the policy says with whatever the connection has ready; registers it if it must wait. */
    private void serve(SocketChannel channel, SelectionKey key) {
        if (policy == ClosePolicy.CLOSE_FIRST) {
            counters.closedFirst++;
            closeConnection(channel, key);
            return;
        }
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    counters.peerClosed++;
                    if (policy == ClosePolicy.HOLD_OPEN) {
                        held.add(channel); // left in CLOSE_WAIT on purpose; closed when the server stops
                        if (key != null) {
                            key.cancel();
                        }
                        return;
                    }
                    closeConnection(channel, key);
                    return;
                }
                if (n == 0) {
                    break;
                }
                if (policy.answers) {
                    buffer.flip(); // one byte back for every byte of request
                    counters.answered += channel.write(buffer);
                    if (buffer.hasRemaining()) {
                        counters.errors++; // the client does not read its answers; not worth waiting for
                    }
                    if (policy.closesFirst) {
                        counters.closedFirst++;
                        closeConnection(channel, key);
                        return;
                    }
                }
            }
            if (key == null) {
                channel.register(selector, SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("reset")) {
                counters.resets++; // expected when clients close with SO_LINGER 0
            } else {
                counters.errors++;
            }
            closeConnection(channel, key);
        }
    }

    private void closeConnection(SocketChannel channel, SelectionKey key) {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            counters.errors++;
        }
        counters.open--;
    }

    private void closeConnections() {
        for (SelectionKey key : selector.keys()) {
            if (key.channel() instanceof SocketChannel) {
                closeConnection((SocketChannel) key.channel(), key);
            }
        }
        for (SocketChannel channel : held) {
            closeConnection(channel, null);
        }
        held.clear();
    }

    private void writeRow(long now) throws IOException {
        if (csv != null) {
            csv.printRecord(counters.row((now - startNanos) / 1_000_000));
            csv.flush();
        }
    }
}
