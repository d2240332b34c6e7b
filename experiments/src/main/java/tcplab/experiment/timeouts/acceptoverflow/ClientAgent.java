package tcplab.experiment.timeouts.acceptoverflow;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tcplab.experiment.Agent;
import tcplab.experiment.RawTable;
import tcplab.experiment.timeouts.acceptoverflow.ConnectRow.Outcome;

/** The clients inside their host: all connect at once, each recording how long it took and how it ended. */
final class ClientAgent {
    private final Agent agent;
    private final List<Socket> connected = new ArrayList<>();

    ClientAgent(Agent agent) {
        this.agent = agent;
    }

    void run() throws Exception {
        int n = agent.params().integer("connections");
        int timeout = agent.params().integer("connectTimeout");
        InetSocketAddress target = new InetSocketAddress(agent.params().get("host"), AcceptOverflowExperiment.PORT);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try (RawTable<ConnectRow>.Log rows = ConnectRow.TABLE.open(agent)) {
            for (int i = 0; i < n; i++) {
                int client = i + 1;
                clients.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    ConnectRow row = connect(client, target, timeout);
                    synchronized (rows) {
                        rows.addUnchecked(row);
                    }
                });
            }
            Thread.sleep(200); // every thread waiting at the latch
            go.countDown();
            clients.shutdown();
            clients.awaitTermination(timeout + 5000L, TimeUnit.MILLISECONDS);
        } finally {
            synchronized (connected) {
                for (Socket s : connected) {
                    s.close();
                }
            }
        }
        agent.done(connected.size() + " of " + n + " connected");
    }

    /** One client's connect, timed; a connected socket is held until the end. */
    private ConnectRow connect(int client, InetSocketAddress target, int timeout) {
        Socket s = new Socket();
        Outcome outcome;
        String error = "";
        long start = System.currentTimeMillis();
        try {
            s.connect(target, timeout);
            outcome = Outcome.CONNECTED;
            synchronized (connected) {
                connected.add(s);
            }
        } catch (SocketTimeoutException e) {
            outcome = Outcome.TIMEOUT;
            error = e.getMessage();
        } catch (ConnectException e) {
            outcome = Outcome.REFUSED;
            error = e.getMessage();
        } catch (SocketException e) {
            outcome = String.valueOf(e.getMessage()).contains("reset") ? Outcome.RESET : Outcome.ERROR;
            error = e.getMessage();
        } catch (IOException e) {
            outcome = Outcome.ERROR;
            error = e.getMessage();
        }
        return new ConnectRow(client, start, System.currentTimeMillis(), outcome, error);
    }
}
