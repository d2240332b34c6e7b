package tcplab.benchmarks;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.Warmup;
import tcplab.socket.Client;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.Target;

/**
 * What does it cost to open and close one TCP connection, and how does the way it ends change that?
 *
 * <p>Each invocation is one full cycle on a new socket: socket(), the options under test,
 * connect() (the three-way handshake), an optional 1-byte request and response, and the close
 * style under test. Throughput mode gives cycles per second; SampleTime gives the latency
 * distribution of single cycles. The server is a tcplab server whose close policy matches
 * {@code closeMode} (the lab starts it in the server host; {@code target} points elsewhere).
 *
 * <p>What to expect on Linux, and why:
 * <ul>
 *   <li>{@code CLIENT_RST} (SO_LINGER 0) is the cheapest: the close is one RST and no side keeps
 *       TIME_WAIT, so nothing accumulates however long it runs.</li>
 *   <li>{@code CLIENT_FIN} exchanges FINs and leaves the client socket in TIME_WAIT for 60 s. Each
 *       TIME_WAIT socket pins its local port for that destination, so without tcp_tw_reuse the
 *       client runs out of ports: after about {@code ip_local_port_range} connections (28,232 by
 *       default) connect() fails with EADDRNOTAVAIL, counted as {@code addrNotAvailable}, and the
 *       sustained rate of good cycles falls to ports / 60 s (about 470/s). tcp_tw_reuse=2, the
 *       default, lifts this only on loopback; tcp_tw_reuse=1 with timestamps lifts it everywhere.</li>
 *   <li>{@code SERVER_FIN} moves TIME_WAIT to the server, where it is keyed by the whole 4-tuple,
 *       so the client never runs out of ports; the client waits one extra half round trip for the
 *       server's FIN.</li>
 *   <li>{@code CLIENT_LINGER} (SO_LINGER n &gt; 0) makes close() wait for the ACK of its FIN: one
 *       more round trip per cycle, and the client still keeps TIME_WAIT.</li>
 *   <li>{@code reuseAddr} on a client socket changes bind(), not the port choice of connect(), so
 *       Linux should show no difference; the parameter is there to show that with numbers.</li>
 *   <li>{@code exchange=REQUEST} adds a round trip and the server's read and write.</li>
 *   <li>Latency outliers of about 1 s are SYNs dropped by a full accept queue and retransmitted
 *       after the initial RTO; the lab's ListenOverflows counter shows them.</li>
 * </ul>
 *
 * <p>Failures never abort the run: each is counted by cause in {@link Outcomes}. The primary score
 * counts attempts; {@code ok} counts complete cycles. Compare the two before quoting a number.
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
public class ConnectCloseBenchmark {

    @Param({"CLIENT_FIN", "SERVER_FIN", "CLIENT_RST", "CLIENT_LINGER"})
    public CloseMode closeMode;

    /** SO_REUSEADDR on the client socket. */
    @Param({"false", "true"})
    public boolean reuseAddr;

    @Param({"NONE", "REQUEST"})
    public Exchange exchange;

    /** Empty: the lab's own server. HOST:PORT: a tcplab server elsewhere, or any server that reads until EOF. */
    @Param({""})
    public String target;

    /** SO_LINGER seconds for CLIENT_LINGER. */
    @Param({"1"})
    public int lingerSeconds;

    /** 0: the kernel's SYN retry schedule bounds connect() (fewest system calls); n: give up after n ms. */
    @Param({"0"})
    public int connectTimeoutMs;

    /** A label only: the sysctl profile in effect, so it is a column in the results. */
    @Param({"unset"})
    public String profile;

    private Client client;

    @Setup(Level.Trial)
    public void setUp() {
        client = new Client(Target.resolve(target), reuseAddr, closeMode.lingerSeconds(lingerSeconds), connectTimeoutMs);
    }

    @Benchmark
    public void connectClose(Outcomes outcomes) {
        try {
            client.cycle(closeMode, exchange);
            outcomes.ok++;
        } catch (IOException e) {
            outcomes.failed(e);
        }
    }
}
