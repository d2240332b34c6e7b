package tcplab.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventArray;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tcplab server on Netty's native epoll transport, used below its channel layer: accept4
 * returns a non-blocking socket, so a connection costs accept4, read and close, the three calls
 * serve.c makes (the NIO engine makes eight: strace -c counted 3 fcntl and 2 getsockname more
 * per accept). Connections are level-triggered in epoll only while they wait for data.
 *
 * <p>What it buys, measured by make compare-native on a 2-vCPU VM (docs/benchmarks.md): under two
 * C client threads with an RST close the NIO engine needed 13.5 µs of CPU per connection against
 * the C server's 8.6, fell behind, overflowed its accept queue and ran at 0.34 of the C server;
 * this engine needs 9.8 µs against 9.4 and runs at 0.98.
 */
final class EpollServer extends PolicyServer<FileDescriptor> {
    /** Events taken per epoll_wait. */
    private static final int EVENTS = 512;
    /** Room for the peer's address accept4 fills in, as Netty's own server channel sizes it. */
    private static final int ADDRESS_BYTES = 26;

    /*
     * Netty keeps its epoll event array's constructor and accessors, and the millisecond
     * epoll_wait, package-private. A private lookup reaches them on the class path, where
     * Netty's packages are open; it is made once, and EpollServerTest fails if a Netty upgrade
     * moves them.
     */
    private static final MethodHandle NEW_EVENTS;
    private static final MethodHandle EVENT_FD;
    private static final MethodHandle FREE_EVENTS;
    private static final MethodHandle EPOLL_WAIT;

    static {
        try {
            MethodHandles.Lookup events = MethodHandles.privateLookupIn(EpollEventArray.class, MethodHandles.lookup());
            NEW_EVENTS = events.findConstructor(EpollEventArray.class, MethodType.methodType(void.class, int.class));
            EVENT_FD = events.findVirtual(EpollEventArray.class, "fd", MethodType.methodType(int.class, int.class));
            FREE_EVENTS = events.findVirtual(EpollEventArray.class, "free", MethodType.methodType(void.class));
            EPOLL_WAIT = MethodHandles.privateLookupIn(Native.class, MethodHandles.lookup()).findStatic(Native.class, "epollWait",
                    MethodType.methodType(int.class, FileDescriptor.class, EpollEventArray.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<LinuxSocket> listeners = new ArrayList<>();
    private final List<FileDescriptor> held = new ArrayList<>();
    private final byte[] peer = new byte[ADDRESS_BYTES];
    private final FileDescriptor epoll;
    private final FileDescriptor wake;
    private final EpollEventArray events;
    /** The connections waiting in epoll, by file descriptor. */
    private FileDescriptor[] waiting = new FileDescriptor[1024];
    private boolean closed;

    EpollServer(List<InetSocketAddress> binds, ClosePolicy policy, int backlog, Duration lifetime) throws IOException {
        super(policy, lifetime);
        Epoll.ensureAvailability();
        epoll = Native.newEpollCreate();
        try { // from here a failure closes what was opened: close() skips what is not
            wake = Native.newEventFd();
            events = newEvents();
            Native.epollCtlAdd(epoll.intValue(), wake.intValue(), Native.EPOLLIN);
            for (InetSocketAddress bind : binds) {
                LinuxSocket listener = LinuxSocket.newSocketStream(bind.getAddress() instanceof Inet6Address);
                listeners.add(listener);
                listener.setReuseAddress(true); // as the JDK does for server sockets on Linux
                try {
                    listener.bind(bind);
                } catch (IOException e) { // reported as the JDK reports it, so the caller tells a port conflict from other failures
                    java.net.BindException bindFailure = new java.net.BindException(e.getMessage().replace("bind(..) failed: ", ""));
                    bindFailure.initCause(e);
                    throw bindFailure;
                }
                listener.listen(backlog);
                Native.epollCtlAdd(epoll.intValue(), listener.intValue(), Native.EPOLLIN);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static EpollEventArray newEvents() {
        try {
            return (EpollEventArray) NEW_EVENTS.invokeExact(EVENTS);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make Netty's epoll event array", e);
        }
    }

    @Override
    public Engine engine() {
        return Engine.EPOLL;
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> all = new ArrayList<>();
        for (LinuxSocket listener : listeners) {
            all.add(listener.localAddress());
        }
        return all;
    }

    @Override
    void serveReady(int timeoutMillis) throws IOException {
        int ready;
        try {
            ready = (int) EPOLL_WAIT.invokeExact(epoll, events, timeoutMillis);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < ready; i++) {
            int fd = fdOf(i);
            FileDescriptor connection = fd < waiting.length ? waiting[fd] : null;
            if (connection != null) {
                serve(connection, true);
            } else if (fd == wake.intValue()) {
                Native.eventFdRead(fd);
            } else {
                for (LinuxSocket listener : listeners) {
                    if (listener.intValue() == fd) {
                        acceptAll(listener);
                    }
                }
            }
        }
    }

    private int fdOf(int event) {
        try {
            return (int) EVENT_FD.invokeExact(events, event);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptAll(LinuxSocket listener) {
        for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
            int fd;
            try {
                fd = listener.accept(peer);
            } catch (IOException e) {
                counters.errors++; // e.g. EMFILE: counted, and the loop goes on
                return;
            }
            if (fd < 0) {
                return; // EAGAIN: the queue is empty
            }
            accepted(new FileDescriptor(fd)); // not a Socket, whose constructor asks getsockname the family
        }
    }

    @Override
    int read(FileDescriptor connection, ByteBuffer into) throws IOException {
        int n = connection.read(into, into.position(), into.limit()); // the buffer's position is ours to move
        if (n > 0) {
            into.position(into.position() + n);
        }
        return n;
    }

    @Override
    int write(FileDescriptor connection, ByteBuffer from) throws IOException {
        int n = connection.write(from, from.position(), from.limit());
        from.position(from.position() + n);
        return n;
    }

    @Override
    void register(FileDescriptor connection) throws IOException {
        int fd = connection.intValue();
        if (fd >= waiting.length) {
            waiting = Arrays.copyOf(waiting, Math.max(fd + 1, waiting.length * 2));
        }
        Native.epollCtlAdd(epoll.intValue(), fd, Native.EPOLLIN); // level-triggered: a read left for later is reported again
        waiting[fd] = connection;
    }

    @Override
    void hold(FileDescriptor connection, boolean registered) {
        unregister(connection, registered);
        held.add(connection);
    }

    @Override
    void release(FileDescriptor connection, boolean registered) throws IOException {
        if (registered) {
            waiting[connection.intValue()] = null; // closing the descriptor takes it out of epoll
        }
        connection.close();
    }

    private void unregister(FileDescriptor connection, boolean registered) {
        if (registered) {
            waiting[connection.intValue()] = null;
            try {
                Native.epollCtlDel(epoll.intValue(), connection.intValue());
            } catch (IOException e) {
                counters.errors++;
            }
        }
    }

    @Override
    boolean isReset(IOException e) {
        return e instanceof Errors.NativeIoException
                && ((Errors.NativeIoException) e).expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE;
    }

    @Override
    synchronized void wakeup() {
        if (!closed && wake != null) { // a closed descriptor's number may already belong to another file; null: the constructor failed
            try {
                Native.eventFdWrite(wake.intValue(), 1L);
            } catch (RuntimeException e) {
                // already closed: nothing waits any more
            }
        }
    }

    @Override
    void closeConnections() {
        for (FileDescriptor connection : waiting) {
            if (connection != null) {
                end(connection, true);
            }
        }
        for (FileDescriptor connection : held) {
            end(connection, false);
        }
        held.clear();
    }

    @Override
    public synchronized void close() throws IOException {
        stop();
        if (closed) {
            return;
        }
        closed = true;
        for (LinuxSocket listener : listeners) {
            listener.close();
        }
        listeners.clear();
        if (events != null) {
            try {
                FREE_EVENTS.invokeExact(events);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
        if (wake != null) {
            wake.close();
        }
        epoll.close();
    }
}
