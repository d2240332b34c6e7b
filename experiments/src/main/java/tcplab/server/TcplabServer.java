package tcplab.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The small server the benchmarks talk to: one event-loop thread, a close policy, its own counters
 * and a bounded lifetime. One thread is enough on two cores and keeps the server's share of the
 * CPU predictable. Two engines do the same work: {@link Engine#EPOLL} (the default, Netty's
 * native transport: three system calls per connection, as a C server) and {@link Engine#NIO}
 * (the JDK's selector: eight).
 */
public abstract class TcplabServer implements Closeable {
    /** How the server reaches the kernel's sockets. */
    public enum Engine {
        /**
         * Netty's native epoll transport, already a dependency: accept4 hands over a non-blocking
         * socket, so a connection costs accept4, read and close, as in serve.c.
         */
        EPOLL,
        /**
         * The JDK's NIO selector, where Netty's native library cannot load: each accept adds three
         * fcntl and two getsockname calls (counted with strace -c); it needed 13.5 µs of CPU per
         * connection against the C server's 8.6 on a 2-vCPU Xeon (docs/benchmarks.md).
         */
        NIO;

        /** EPOLL where Netty's native library loads on this machine, NIO otherwise. */
        public static Engine best() {
            return io.netty.channel.epoll.Epoll.isAvailable() ? EPOLL : NIO;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Accepts per wake-up, so a flood of connections cannot starve the reads. */
    static final int ACCEPTS_PER_WAKE = 256;

    final ClosePolicy policy;
    final ServerCounters counters = new ServerCounters();
    private final Duration lifetime;
    private CSVPrinter csv;
    private volatile boolean stopping;
    private long startNanos;
    private long cpuAtStart;

    TcplabServer(ClosePolicy policy, Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
        }
        this.policy = policy;
        this.lifetime = lifetime;
    }

    /**
     * A server listening on every address in {@code binds}; all share the policy and the counters.
     * Binds at once, so a port conflict is reported here.
     *
     * @param countersCsv where to write one row of counters per second, or null
     */
    public static TcplabServer open(Engine engine, List<InetSocketAddress> binds, ClosePolicy policy, int backlog,
            Duration lifetime, Path countersCsv) throws IOException {
        TcplabServer server = engine == Engine.EPOLL
                ? new EpollServer(binds, policy, backlog, lifetime)
                : new NioServer(binds, policy, backlog, lifetime);
        try {
            if (countersCsv != null) {
                Writer writer = Files.newBufferedWriter(countersCsv, StandardCharsets.UTF_8);
                server.csv = new CSVPrinter(writer, CSVFormat.DEFAULT.builder().setHeader(ServerCounters.COLUMNS).get());
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public abstract Engine engine();

    /** Every address it listens on. */
    public abstract List<InetSocketAddress> localAddresses() throws IOException;

    public InetSocketAddress localAddress() throws IOException {
        return localAddresses().get(0);
    }

    public ClosePolicy policy() {
        return policy;
    }

    /** Valid once {@link #run()} has returned. */
    public ServerCounters counters() {
        return counters;
    }

    /** Serves until {@link #stop()} or the end of the lifetime. */
    public final void run() throws IOException {
        startNanos = System.nanoTime();
        cpuAtStart = OS.getProcessCpuTime(); // the JVM's start-up is not the connections' cost
        long deadline = startNanos + lifetime.toNanos();
        long nextRow = startNanos + 1_000_000_000L;
        try {
            while (!stopping) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    break;
                }
                serveReady((int) Math.max(1, Math.min(250, (deadline - now) / 1_000_000)));
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
        wakeup();
    }

    /** Waits up to {@code timeoutMillis} for accepts and reads, and serves what is ready. */
    abstract void serveReady(int timeoutMillis) throws IOException;

    /** Makes a waiting {@link #serveReady} return; called from any thread. */
    abstract void wakeup();

    /** Closes every connection still open, held ones included. */
    abstract void closeConnections();

    /** A reset from a client that closed with SO_LINGER 0 is expected; anything else is an error. */
    final void countFailure(IOException e, boolean reset) {
        if (reset || (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("reset"))) {
            counters.resets++;
        } else {
            counters.errors++;
        }
    }

    private void writeRow(long now) throws IOException {
        if (csv != null) {
            csv.printRecord(counters.row((now - startNanos) / 1_000_000, (OS.getProcessCpuTime() - cpuAtStart) / 1_000_000));
            csv.flush();
        }
    }
}
