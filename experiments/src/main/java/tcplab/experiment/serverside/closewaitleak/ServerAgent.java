package tcplab.experiment.serverside.closewaitleak;

import static tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.ACCEPT_BACKOFF_MILLIS;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.RawTable;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.Handler;

/** The server: answer one line per connection, then wait for the client's close; leak or close. */
final class ServerAgent {
    private final Agent agent;
    private final boolean leaky;
    private final ConcurrentLinkedQueue<Socket> leaked = new ConcurrentLinkedQueue<>(); // held, as a real leak holds them (GC would close them)
    private final AtomicInteger errors = new AtomicInteger();

    ServerAgent(Agent agent) {
        this.agent = agent;
        this.leaky = agent.params().choice("handler", Handler.class) == Handler.LEAKY;
    }

    void run() throws Exception {
        ExecutorService handlers = Executors.newFixedThreadPool(16);
        try (var acceptErrors = AcceptErrorRow.TABLE.open(agent);
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), CloseWaitLeakExperiment.PORT), CloseWaitLeakExperiment.BACKLOG);
            Thread acceptor = new Thread(() -> accept(listener, handlers, acceptErrors), "tcplab-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            agent.signal(Protocol.LISTENING);
            while (!agent.expired()) {
                Message command = agent.next(Protocol.class, Duration.ofSeconds(1));
                if (command != null && command.is(Protocol.CLOSE_LEAKED)) {
                    int n = 0;
                    for (Socket s; (s = leaked.poll()) != null; n++) {
                        s.close();
                    }
                    agent.signal(Protocol.CLOSED, "connections", n, "errors", errors.get());
                } else if (command != null && command.is(Protocol.EXIT)) {
                    break;
                }
            }
        } finally {
            handlers.shutdownNow();
        }
    }

    /** The accept loop, as production servers have it: after an error, back off and try again. */
    private void accept(ServerSocketChannel listener, ExecutorService handlers, RawTable<AcceptErrorRow>.Log acceptErrors) {
        while (listener.isOpen()) {
            try {
                SocketChannel channel = listener.accept();
                handlers.execute(() -> handle(channel.socket()));
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
                errors.incrementAndGet();
                synchronized (acceptErrors) {
                    try {
                        acceptErrors.add(new AcceptErrorRow(System.currentTimeMillis(), e.getMessage()));
                    } catch (IOException ignored) {
                        // the count above still says it happened
                    }
                }
                pause(ACCEPT_BACKOFF_MILLIS); // without this the loop would spin a core on EMFILE
            }
        }
    }

    private void handle(Socket socket) {
        try {
            socket.setSoTimeout((int) Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()));
            InputStream in = socket.getInputStream();
            LineRequest.readLine(in);
            LineRequest.write(socket.getOutputStream(), "OK");
            while (in.read() >= 0) {
                // wait for the client's FIN
            }
        } catch (IOException e) {
            // the client went away abruptly; what happens next is the same
        }
        if (leaky) {
            leaked.add(socket); // the bug: the client has closed, and this side never does
        } else {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all that was left to do
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
