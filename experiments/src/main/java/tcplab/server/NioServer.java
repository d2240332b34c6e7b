package tcplab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import tcplab.socket.Target;

/** The tcplab server on the JDK's selector: for machines where Netty's native library does not load. */
final class NioServer extends PolicyServer<SocketChannel> {
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<SocketChannel> held = new ArrayList<>();
    private final Selector selector;

    NioServer(List<InetSocketAddress> binds, ClosePolicy policy, int backlog, Duration lifetime) throws IOException {
        super(policy, lifetime);
        selector = Selector.open();
        try {
            for (InetSocketAddress bind : binds) {
                ServerSocketChannel listener = ServerSocketChannel.open(Target.familyOf(bind));
                listeners.add(listener);
                // Java turns SO_REUSEADDR on for server sockets by default on Linux; say so explicitly.
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(bind, backlog);
                listener.configureBlocking(false);
                listener.register(selector, SelectionKey.OP_ACCEPT);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public Engine engine() {
        return Engine.NIO;
    }

    @Override
    public List<InetSocketAddress> localAddresses() throws IOException {
        List<InetSocketAddress> all = new ArrayList<>();
        for (ServerSocketChannel listener : listeners) {
            all.add((InetSocketAddress) listener.getLocalAddress());
        }
        return all;
    }

    @Override
    void serveReady(int timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
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
                serve((SocketChannel) key.channel(), true);
            }
        }
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
            try {
                channel.configureBlocking(false);
            } catch (IOException e) {
                counters.accepted++;
                counters.open++;
                counters.errors++;
                end(channel, false);
                continue;
            }
            accepted(channel);
        }
    }

    @Override
    int read(SocketChannel channel, ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    @Override
    int write(SocketChannel channel, ByteBuffer from) throws IOException {
        return channel.write(from);
    }

    @Override
    void register(SocketChannel channel) throws IOException {
        channel.register(selector, SelectionKey.OP_READ);
    }

    @Override
    void hold(SocketChannel channel, boolean registered) {
        held.add(channel);
        cancel(channel, registered);
    }

    @Override
    void release(SocketChannel channel, boolean registered) throws IOException {
        cancel(channel, registered);
        channel.close();
    }

    private void cancel(SocketChannel channel, boolean registered) {
        SelectionKey key = registered ? channel.keyFor(selector) : null;
        if (key != null) {
            key.cancel();
        }
    }

    @Override
    boolean isReset(IOException e) {
        return false; // the JDK says so only in the message, which countFailure reads
    }

    @Override
    void wakeup() {
        selector.wakeup();
    }

    @Override
    void closeConnections() {
        for (SelectionKey key : selector.keys()) {
            if (key.channel() instanceof SocketChannel) {
                end((SocketChannel) key.channel(), true);
            }
        }
        for (SocketChannel channel : held) {
            end(channel, false);
        }
        held.clear();
    }

    @Override
    public void close() throws IOException {
        stop();
        for (ServerSocketChannel listener : listeners) {
            listener.close();
        }
        selector.close();
    }
}
