package tcplab.experiment.timeouts.stuckwrite;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.net.ExtendedSocketOptions;
import tcplab.experiment.Agent;
import tcplab.experiment.Message;
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;

/**
 * The client inside its host: write until the connection fails; record when and why ({@link OutcomeRow}).
 * Beside it, for the ladder ({@link Ladders}), a probe connection with the same options that stays idle
 * until the fault and then sends {@link #PROBE_BYTES}: its retransmissions are few enough to capture,
 * where the main connection's bulk data would fill any capture. It never touches the main connection's
 * writes or its record.
 */
final class WriterAgent {
    private static final int CHUNK = 16 * 1024;
    /** Written before the run side is told the data flows: the send buffer is then full. */
    private static final long FLOWING = 1 << 20;
    private static final String STILL_WRITING = "still writing at the deadline";
    static final int PROBE_BYTES = 100;

    private final Agent agent;
    private final Variant variant;
    private final InetSocketAddress target;
    private SocketChannel probe;
    private Thread probeReader;

    WriterAgent(Agent agent) {
        this.agent = agent;
        this.variant = agent.params().choice("variant", Variant.class);
        this.target = new InetSocketAddress(agent.params().get("host"), StuckWriteExperiment.PORT);
    }

    void run() throws Exception {
        OutcomeRow outcome;
        try (var rows = OutcomeRow.TABLE.open(agent)) {
            outcome = variant == Variant.USER_TIMEOUT ? writeWithUserTimeout() : writeWithJdk();
            rows.add(outcome);
        }
        awaitProbe(outcome);
    }

    /** Plain or keepalive: a blocking channel, writing until write() throws. */
    private OutcomeRow writeWithJdk() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            options(channel);
            channel.connect(target);
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            long written = 0;
            CompletableFuture<Long> fault = faultTime();
            boolean told = false;
            try {
                while (!agent.expired()) {
                    chunk.clear();
                    written += channel.write(chunk);
                    if (!told && written > FLOWING) {
                        probe = probe();
                        SocketChannel sends = probe;
                        fault.thenRun(() -> send(sends)); // on the fault-reading thread: this one keeps writing
                        if (probe != null) {
                            probeReader = new Thread(() -> readUntilItFails(sends), "tcplab-probe");
                            probeReader.setDaemon(true);
                            probeReader.start();
                        }
                        started(probe == null ? 0 : ((InetSocketAddress) probe.getLocalAddress()).getPort());
                        told = true;
                    }
                }
                return new OutcomeRow(variant, fault.getNow(null), null, written, STILL_WRITING);
            } catch (IOException e) {
                return new OutcomeRow(variant, fault.getNow(null), System.currentTimeMillis(), written, e.getMessage());
            }
        }
    }

    /** The variant's socket options, on the main connection and the probe alike. */
    private void options(SocketChannel channel) throws IOException {
        if (variant == Variant.KEEPALIVE) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1);
        }
    }

    /**
     * The ladder's probe: connected from the port the run side captures ({@code probePort}), with the variant's
     * options; from any port if that one is taken (the run side then has no capture of it, and says so); null
     * when it cannot connect at all, which only costs the picture.
     */
    private SocketChannel probe() {
        int port = agent.params().integer("probePort");
        for (int from : new int[] {port, 0}) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                options(channel);
                channel.bind(new InetSocketAddress(from));
                channel.connect(target);
                return channel;
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
        return null;
    }

    /**
     * After the outcome is written: lets the probe fail on its own schedule, which lags the main connection's by
     * about the tail loss probe's 200 ms, for at most as long again as the main connection took (one more doubling),
     * within the agent's time. Closed while still retransmitting it would become an orphan, retried
     * tcp_orphan_retries times (net/ipv4/tcp_timer.c, tcp_write_timeout), and its ladder would not be tcp_retries2's.
     */
    private void awaitProbe(OutcomeRow outcome) throws InterruptedException {
        if (probe == null) {
            return;
        }
        long wait = outcome.failed() ? Math.min(outcome.failedMs() - outcome.faultMs() + 1000, agent.remaining().toMillis() - 5000) : 0;
        probeReader.join(Math.max(1, wait)); // if it is still there, closing makes it an orphan
        closeQuietly(probe);
    }

    /** Blocks on the probe until its connection fails (ETIMEDOUT) or ends: nothing ever arrives on it. */
    private static void readUntilItFails(SocketChannel probe) {
        try {
            while (probe.read(ByteBuffer.allocate(256)) >= 0) {
                // the server sends nothing
            }
        } catch (IOException failed) {
            // the end awaited
        }
    }

    /** The probe's data, once the fault came: one small segment, retransmitted until the connection fails. */
    private static void send(SocketChannel probe) {
        if (probe != null) {
            try {
                probe.write(ByteBuffer.allocate(PROBE_BYTES));
            } catch (IOException gone) {
                // only the picture loses it
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a probe that already failed
            }
        }
    }

    /** TCP_USER_TIMEOUT, which the JDK cannot set, through Netty's epoll transport: the channel's error is the end. */
    private OutcomeRow writeWithUserTimeout() throws Exception {
        if (!Epoll.isAvailable()) {
            String cause = String.valueOf(Epoll.unavailabilityCause());
            agent.signal(Protocol.STARTED, "writing", false, "unavailable", cause, "probe", 0);
            return new OutcomeRow(variant, null, null, 0, OutcomeRow.UNAVAILABLE + cause);
        }
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        CompletableFuture<Ended> end = new CompletableFuture<>();
        long[] written = {0};
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK));
        CompletableFuture<Long> fault = faultTime();
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(EpollChannelOption.TCP_USER_TIMEOUT, agent.params().integer("userTimeout"))
                    .handler(new ChannelInboundHandlerAdapter() {
                        private boolean told;

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            fill(ctx.channel());
                        }

                        @Override
                        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                            fill(ctx.channel());
                        }

                        private void fill(Channel ch) {
                            while (ch.isWritable()) {
                                ch.write(chunk.duplicate()).addListener(f -> {
                                    if (f.isSuccess()) {
                                        written[0] += CHUNK;
                                    }
                                });
                            }
                            ch.flush();
                            if (!told && written[0] > FLOWING) {
                                started(0); // no probe: the ladder shows the JDK variants
                                told = true;
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            end.complete(new Ended(System.currentTimeMillis(), cause.getMessage()));
                            ctx.close();
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            end.complete(new Ended(System.currentTimeMillis(), "the channel closed"));
                        }
                    });
            bootstrap.connect(target).sync();
            Ended e = end.get(agent.remaining().toMillis(), TimeUnit.MILLISECONDS);
            return new OutcomeRow(variant, fault.getNow(null), e.atMs(), written[0], e.error());
        } catch (TimeoutException stillWriting) {
            return new OutcomeRow(variant, fault.getNow(null), null, written[0], STILL_WRITING);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** When and how the Netty channel ended. */
    private record Ended(long atMs, String error) {
    }

    private void started(int probe) {
        agent.signal(Protocol.STARTED, "writing", true, "unavailable", "", "probe", probe);
    }

    /** The fault time the run side sends, read on another thread while this one writes; null until it came. */
    private CompletableFuture<Long> faultTime() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Message fault = agent.await(Protocol.FAULT, agent.remaining());
                return fault == null ? null : fault.number("at_ms");
            } catch (InterruptedException e) {
                return null;
            }
        });
    }
}
