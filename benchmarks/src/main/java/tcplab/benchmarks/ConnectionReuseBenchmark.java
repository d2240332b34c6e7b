package tcplab.benchmarks;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tcplab.socket.Client;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.Target;

/**
 * How much does a new connection per request cost compared with reusing one connection?
 *
 * <p>Each invocation is one 1-byte request and its 1-byte response. {@code NEW_CONNECTION} opens a
 * connection for it and closes it (client FIN) afterwards; {@code KEEP_ALIVE} sends it over the one
 * connection this thread opened at the start of the trial.
 *
 * <p>Expect {@code KEEP_ALIVE} to be several times faster: a request on an open connection is one
 * round trip, while a new connection adds the handshake, the FIN exchange, two socket setups and
 * teardowns in the kernel, and one TIME_WAIT socket per request. Keeping connections alive is the
 * remedy that removes TIME_WAIT altogether: {@code NEW_CONNECTION} runs into the same port
 * exhaustion as {@link ConnectCloseBenchmark} with {@code CLIENT_FIN}; {@code KEEP_ALIVE} never does.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
// One benchmark thread on two cores it shares with the server and the kernel: the serial collector
// keeps GC threads and G1's barriers out of the way (measured: a few percent of the connect rate).
// The opened package lets Client make the C client's system calls (DirectSocket; measured: 58-62k
// against 49-53k cycles/s with SocketChannel, 64k for C, RST close, one thread on the Xeon).
@Fork(value = 2, jvmArgsAppend = {"-XX:+UseSerialGC", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class ConnectionReuseBenchmark {

    public enum Style { NEW_CONNECTION, KEEP_ALIVE }

    @Param({"NEW_CONNECTION", "KEEP_ALIVE"})
    public Style style;

    /** Empty: the lab's own server. HOST:PORT: a tcplab server that answers 1-byte requests. */
    @Param({""})
    public String target;

    /** A label only: the sysctl profile in effect, so it is a column in the results. */
    @Param({"unset"})
    public String profile;

    private Client client;
    private SocketChannel kept;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        client = new Client(Target.resolve(target), false, -1, 0);
        if (style == Style.KEEP_ALIVE) {
            kept = client.open();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (kept != null) {
            Client.closeQuietly(kept);
        }
    }

    @Benchmark
    public void request(Outcomes outcomes) {
        try {
            if (style == Style.KEEP_ALIVE) {
                keptRequest();
            } else {
                client.cycle(CloseMode.CLIENT_FIN, Exchange.REQUEST);
            }
            outcomes.ok++;
        } catch (IOException e) {
            outcomes.failed(e);
        }
    }

    private void keptRequest() throws IOException {
        if (kept == null) {
            kept = client.open(); // the last one broke; a failure was counted, start over
        }
        try {
            client.requestResponse(kept);
        } catch (IOException e) {
            Client.closeQuietly(kept);
            kept = null;
            throw e;
        }
    }
}
