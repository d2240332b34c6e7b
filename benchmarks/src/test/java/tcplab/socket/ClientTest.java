package tcplab.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's direct cycle against a server in this test, on loopback in the real kernel: each
 * close mode ends the connection the way its name says, as the server sees it, and failures are the
 * exceptions a channel throws. (TcplabServerTest runs the same cycles against the tcplab server.)
 */
class ClientTest {
    private ServerSocketChannel server;
    private InetSocketAddress address;

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        address = (InetSocketAddress) server.getLocalAddress();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** What the server saw of one connection: the bytes it read and how the read ended. */
    private CompletableFuture<String> serveOne(byte[] answer, long closeAfterMs) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = server.accept()) {
                if (closeAfterMs > 0) {
                    Thread.sleep(closeAfterMs);
                    return "closed first";
                }
                StringBuilder seen = new StringBuilder();
                ByteBuffer b = ByteBuffer.allocate(16);
                while (true) {
                    b.clear();
                    int n = c.read(b);
                    if (n < 0) {
                        return seen + "EOF";
                    }
                    seen.append(new String(b.array(), 0, n, java.nio.charset.StandardCharsets.US_ASCII));
                    if (answer != null) {
                        c.write(ByteBuffer.wrap(answer));
                    }
                }
            } catch (IOException e) {
                return "error: " + e.getMessage();
            } catch (InterruptedException e) {
                return "interrupted";
            }
        });
    }

    @Test
    void takesTheDirectCallsWhereThePackageIsOpened() {
        // surefire's argLine opens sun.nio.ch as the benchmarks' forks do; without it every test here
        // would pass on the channel path and prove nothing about the direct one
        assertNull(DirectSocket.unavailable());
        assertTrue(new Client(address, false, 0, 0).direct());
        assertFalse(new Client(address, false, 0, 1000).direct(), "a connect timeout needs a channel's poll");
    }

    @Test
    void anRstCloseResetsTheServersRead() throws Exception {
        CompletableFuture<String> seen = serveOne(null, 0);
        new Client(address, false, CloseMode.CLIENT_RST.lingerSeconds(0), 0).cycle(CloseMode.CLIENT_RST, Exchange.NONE);
        assertEquals("error: Connection reset", seen.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aFinCloseIsEndOfFileAtTheServer() throws Exception {
        CompletableFuture<String> seen = serveOne(null, 0);
        new Client(address, true, -1, 0).cycle(CloseMode.CLIENT_FIN, Exchange.NONE);
        assertEquals("EOF", seen.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRequestIsSentAndItsAnswerAwaited() throws Exception {
        CompletableFuture<String> seen = serveOne(new byte[] {'!'}, 0);
        new Client(address, false, -1, 0).cycle(CloseMode.CLIENT_FIN, Exchange.REQUEST);
        assertEquals("?EOF", seen.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRequestTheServerDoesNotAnswerIsAnEofError() {
        CompletableFuture.runAsync(() -> {
            try (SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(1)); // the request read, so the close is a FIN (unread data would make it an RST)
            } catch (IOException ignored) {
                // the assertion below tells
            }
        });
        assertThrows(EOFException.class, () -> new Client(address, false, -1, 0).cycle(CloseMode.CLIENT_FIN, Exchange.REQUEST));
    }

    @Test
    void aResetIsTheChannelsConnectionReset() {
        // the server closes with the request unread: the kernel answers with an RST, not a FIN
        serveOne(null, 100);
        java.net.SocketException e = assertThrows(java.net.SocketException.class,
                () -> new Client(address, false, -1, 0).cycle(CloseMode.CLIENT_FIN, Exchange.REQUEST));
        assertEquals(java.net.SocketException.class, e.getClass());
        assertEquals(FailureCause.RESET, FailureCause.of(e));
    }

    @Test
    void serverFinWaitsForTheServerToClose() throws Exception {
        CompletableFuture<String> seen = serveOne(null, 300);
        long start = System.nanoTime();
        new Client(address, false, -1, 0).cycle(CloseMode.SERVER_FIN, Exchange.NONE);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("closed first", seen.get(5, TimeUnit.SECONDS));
        // the cycle returns only after the server's FIN: 300 ms less the scheduler's slack, not at once
        assertTrue(waitedMs >= 250, "returned after " + waitedMs + " ms");
    }

    @Test
    void aRefusedConnectIsTheChannelsExceptionAndLeavesNoDescriptor() throws Exception {
        server.close(); // nothing listens on the port now: the kernel answers the SYN with an RST
        Client client = new Client(address, false, 0, 0);
        long before = openDescriptors();
        String[] causes = new String[50];
        for (int i = 0; i < causes.length; i++) {
            causes[i] = FailureCause.of(assertThrows(java.net.ConnectException.class, () -> client.cycle(CloseMode.CLIENT_RST, Exchange.NONE))).name();
        }
        String[] refused = new String[causes.length];
        java.util.Arrays.fill(refused, FailureCause.REFUSED.name());
        assertArrayEquals(refused, causes);
        assertEquals(before, openDescriptors(), "every failed cycle closed its socket");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
