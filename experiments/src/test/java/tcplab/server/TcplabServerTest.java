package tcplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import tcplab.socket.Client;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.FailureCause;

/**
 * The tcplab server on loopback, under each engine: each close policy does what the benchmarks
 * expect, counts it, and stops on time.
 */
class TcplabServerTest {
    @TempDir
    Path dir;

    private TcplabServer server;
    private CompletableFuture<Void> running;

    private InetSocketAddress start(TcplabServer.Engine engine, ClosePolicy policy, Duration lifetime) throws IOException {
        server = TcplabServer.open(engine, List.of(new InetSocketAddress("127.0.0.1", 0)), policy, 128, lifetime,
                dir.resolve("counters.csv"));
        assertEquals(engine, server.engine());
        running = CompletableFuture.runAsync(() -> {
            try {
                server.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        return server.localAddress();
    }

    private ServerCounters stop() throws Exception {
        server.stop();
        running.get(5, TimeUnit.SECONDS);
        server.close();
        return server.counters();
    }

    @ParameterizedTest
    @EnumSource(TcplabServer.Engine.class)
    void eachPolicyEndsConnectionsTheWayItsClientExpects(TcplabServer.Engine engine) throws Exception {
        for (CloseMode mode : List.of(CloseMode.CLIENT_FIN, CloseMode.SERVER_FIN, CloseMode.CLIENT_RST)) {
            for (Exchange exchange : Exchange.values()) {
                ClosePolicy policy = ClosePolicy.forClient(mode, exchange);
                InetSocketAddress address = start(engine, policy, Duration.ofSeconds(30));
                Client client = new Client(address, false, mode.lingerSeconds(1), 2000);
                for (int i = 0; i < 20; i++) {
                    client.cycle(mode, exchange); // SERVER_FIN waits for the server's FIN; REQUEST waits for the answer
                }
                Thread.sleep(200);
                ServerCounters c = stop();
                String what = mode + "/" + exchange + " -> " + policy;
                assertEquals(20, c.accepted(), what);
                assertEquals(exchange == Exchange.REQUEST ? 20 : 0, c.answered(), what);
                assertEquals(mode == CloseMode.SERVER_FIN ? 20 : 0, c.closedFirst(), what);
                assertEquals(mode == CloseMode.CLIENT_RST ? 20 : 0, c.resets() + (mode == CloseMode.CLIENT_RST ? c.peerClosed() : 0), what);
                assertEquals(0, c.errors(), what);
                assertEquals(0, c.open(), what);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TcplabServer.Engine.class)
    void answersEveryRequestOnAKeptConnection(TcplabServer.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, ClosePolicy.ANSWER, Duration.ofSeconds(30));
        Client client = new Client(address, false, -1, 2000);
        try (SocketChannel kept = client.open()) {
            for (int i = 0; i < 100; i++) {
                client.requestResponse(kept);
            }
        }
        Thread.sleep(200);
        ServerCounters c = stop();
        assertEquals(1, c.accepted());
        assertEquals(100, c.answered());
        assertEquals(1, c.peerClosed());
    }

    @ParameterizedTest
    @EnumSource(TcplabServer.Engine.class)
    void holdOpenKeepsEveryConnectionUntilItStops(TcplabServer.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, ClosePolicy.HOLD_OPEN, Duration.ofSeconds(30));
        Client client = new Client(address, false, -1, 2000);
        for (int i = 0; i < 5; i++) {
            try (SocketChannel kept = client.open()) {
                Thread.sleep(20); // so some connections wait in epoll for their FIN, and some are served at accept
            }
        }
        client.cycle(CloseMode.CLIENT_FIN, Exchange.NONE);
        Thread.sleep(1300); // past the first once-a-second counters row
        List<String> rows = Files.readAllLines(dir.resolve("counters.csv"));
        assertEquals("6", rows.get(rows.size() - 1).split(",")[7], "all six still open, in CLOSE_WAIT: " + rows);
        ServerCounters c = stop();
        assertEquals(6, c.accepted());
        assertEquals(6, c.peerClosed());
        assertEquals(0, c.closedFirst());
        assertEquals(0, c.errors());
        assertEquals(0, c.open(), "held connections are closed when the server stops");
    }

    @ParameterizedTest
    @EnumSource(TcplabServer.Engine.class)
    void stopsAtTheEndOfItsLifetimeAndWritesItsCounters(TcplabServer.Engine engine) throws Exception {
        long t0 = System.nanoTime();
        InetSocketAddress address = start(engine, ClosePolicy.READ_UNTIL_EOF, Duration.ofMillis(1500));
        new Client(address, false, -1, 2000).cycle(CloseMode.CLIENT_FIN, Exchange.NONE);
        running.get(10, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 1.4 && seconds < 5, "stopped after " + seconds + " s");
        List<String> rows = Files.readAllLines(dir.resolve("counters.csv"));
        assertEquals("elapsed_ms,accepted,peer_closed,closed_first,answered,resets,errors,open,cpu_ms", rows.get(0));
        assertTrue(rows.size() >= 2, rows.toString());
        assertTrue(rows.get(rows.size() - 1).split(",")[1].equals("1"), "last row counts the connection: " + rows);
        String[] last = rows.get(rows.size() - 1).split(",");
        long cpuMs = Long.parseLong(last[8]);
        // its CPU since it began serving: no more than both cores' worth of its ~1.5 s (it mostly waited in epoll)
        assertTrue(cpuMs >= 0 && cpuMs <= 2 * Long.parseLong(last[0]), "cpu_ms " + cpuMs + " over " + last[0] + " ms: " + rows);
        server.close();
    }

    @ParameterizedTest
    @EnumSource(TcplabServer.Engine.class)
    void aClosedPortIsCountedAsRefused(TcplabServer.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, ClosePolicy.READ_UNTIL_EOF, Duration.ofSeconds(30));
        stop(); // nothing listens there any more
        IOException e = assertThrows(IOException.class,
                () -> new Client(address, false, -1, 0).cycle(CloseMode.CLIENT_FIN, Exchange.NONE));
        assertEquals(FailureCause.REFUSED, FailureCause.of(e));
    }
}
