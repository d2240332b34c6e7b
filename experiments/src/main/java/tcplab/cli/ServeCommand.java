package tcplab.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.server.ClosePolicy;
import tcplab.server.ServerCounters;
import tcplab.server.TcplabServer;

/** {@code tcplab serve}: the server the benchmarks talk to, with a close policy and a bounded lifetime. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the tcplab server: accepts connections and ends each one by its close policy.",
                "Policies: READ_UNTIL_EOF (client closes first), CLOSE_FIRST (server closes first),",
                "ANSWER (1-byte answer per 1-byte request until the client closes), ANSWER_THEN_CLOSE."},
        footer = {"", "Example (a server for ConnectCloseBenchmark -p target=HOST:7000 on another machine):",
                "  tcplab serve --bind 0.0.0.0 --port 7000 --policy READ_UNTIL_EOF --lifetime 30m"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", defaultValue = "7000", split = ",",
            description = "port, 1-65535, or 0 for any; several, comma-separated, listen on each (default: ${DEFAULT-VALUE})")
    List<Integer> ports;

    @Option(names = "--policy", defaultValue = "READ_UNTIL_EOF", description = "close policy: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    ClosePolicy policy;

    @Option(names = "--lifetime", defaultValue = "10m", converter = DurationConverter.class,
            description = "stop after this long, e.g. 90s, 30m (default: ${DEFAULT-VALUE})")
    Duration lifetime;

    @Option(names = "--backlog", defaultValue = "4096", description = "listen backlog, capped by net.core.somaxconn (default: ${DEFAULT-VALUE})")
    int backlog;

    @Option(names = "--counters", paramLabel = "CSV", description = "write the server's counters here once a second")
    Path counters;

    @Option(names = "--engine", description = "EPOLL (Netty's native transport, the default where it loads) or NIO (the JDK's selector)")
    TcplabServer.Engine engine;

    @Override
    public Integer call() throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int port : ports) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range (fix: 1-65535, or 0 for any free port)");
            }
            InetSocketAddress address = new InetSocketAddress(bind, port);
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve --bind " + bind + " (fix: an address of this machine, e.g. 0.0.0.0 or one `ip -brief addr` lists)");
            }
            addresses.add(address);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog " + backlog + " must be at least 1 (fix: e.g. --backlog 4096)");
        }
        if (engine == TcplabServer.Engine.EPOLL && !io.netty.channel.epoll.Epoll.isAvailable()) {
            throw new IllegalArgumentException("--engine EPOLL: Netty's native epoll library does not load here ("
                    + io.netty.channel.epoll.Epoll.unavailabilityCause().getMessage() + ") (fix: --engine NIO)");
        }
        TcplabServer.Engine chosen = engine != null ? engine : TcplabServer.Engine.best();
        TcplabServer server;
        try {
            server = TcplabServer.open(chosen, addresses, policy, backlog, lifetime, counters);
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("cannot listen on " + bind + " port " + String.join(",", ports.stream().map(String::valueOf).toList())
                    + ": " + e.getMessage() + " (fix: an address of this machine (`ip -brief addr`) and a free port (`ss -ltn`), or --port 0)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            try {
                stopped.await(5, TimeUnit.SECONDS); // let run() write the last counters row
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "tcplab-server-stop"));
        if (System.getenv(tcplab.lab.Ssh.RUN_ENV) != null) {
            // started over ssh by a two-machine run: when the session's input ends, the run side stopped this server (or died)
            Thread watch = new Thread(() -> {
                try {
                    System.in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException ended) {
                    // the same as the end of input
                }
                System.exit(0); // the shutdown hook stops the server and writes its last counters row
            }, "tcplab-server-session");
            watch.setDaemon(true);
            watch.start();
        }
        List<String> listening = new ArrayList<>();
        for (InetSocketAddress local : server.localAddresses()) {
            listening.add(local.getAddress().getHostAddress() + ":" + local.getPort());
        }
        System.out.println("tcplab server: listening on " + String.join(",", listening)
                + " (engine " + chosen + ", policy " + policy + ", backlog " + backlog + ", lifetime " + lifetime.toSeconds() + " s)");
        System.out.flush();
        try {
            server.run();
        } finally {
            server.close();
            ServerCounters c = server.counters();
            System.out.println("tcplab server: stopped; accepted " + c.accepted() + ", peer closed " + c.peerClosed()
                    + ", closed first " + c.closedFirst() + ", answered " + c.answered() + ", resets " + c.resets() + ", errors " + c.errors());
            System.out.flush();
            stopped.countDown();
        }
        return Main.OK;
    }
}
