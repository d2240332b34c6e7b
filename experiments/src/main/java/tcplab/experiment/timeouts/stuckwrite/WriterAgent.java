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

/** The client inside its host: write until the connection fails; record when and why ({@link OutcomeRow}). */
final class WriterAgent {
    private static final int CHUNK = 16 * 1024;
    /** Written before the run side is told the data flows: the send buffer is then full. */
    private static final long FLOWING = 1 << 20;
    private static final String STILL_WRITING = "still writing at the deadline";

    private final Agent agent;
    private final Variant variant;
    private final InetSocketAddress target;

    WriterAgent(Agent agent) {
        this.agent = agent;
        this.variant = agent.params().choice("variant", Variant.class);
        this.target = new InetSocketAddress(agent.params().get("host"), StuckWriteExperiment.PORT);
    }

    void run() throws Exception {
        try (var rows = OutcomeRow.TABLE.open(agent)) {
            rows.add(variant == Variant.USER_TIMEOUT ? writeWithUserTimeout() : writeWithJdk());
        }
    }

    /** Plain or keepalive: a blocking channel, writing until write() throws. */
    private OutcomeRow writeWithJdk() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            if (variant == Variant.KEEPALIVE) {
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1);
            }
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
                        started();
                        told = true;
                    }
                }
                return new OutcomeRow(variant, fault.getNow(null), null, written, STILL_WRITING);
            } catch (IOException e) {
                return new OutcomeRow(variant, fault.getNow(null), System.currentTimeMillis(), written, e.getMessage());
            }
        }
    }

    /** TCP_USER_TIMEOUT, which the JDK cannot set, through Netty's epoll transport: the channel's error is the end. */
    private OutcomeRow writeWithUserTimeout() throws Exception {
        if (!Epoll.isAvailable()) {
            String cause = String.valueOf(Epoll.unavailabilityCause());
            agent.signal(Protocol.STARTED, "writing", false, "unavailable", cause);
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
                                started();
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

    private void started() {
        agent.signal(Protocol.STARTED, "writing", true, "unavailable", "");
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
