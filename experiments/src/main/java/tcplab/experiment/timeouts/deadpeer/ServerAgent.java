package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;

/** The server inside its host: answer PING with PONG on every connection, and hold them until told to exit. */
final class ServerAgent {
    private final Agent agent;
    private final List<Socket> held = new ArrayList<>();

    ServerAgent(Agent agent) {
        this.agent = agent;
    }

    void run() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), DeadPeerExperiment.PORT), 16);
            Thread acceptor = new Thread(() -> accept(listener), "tcplab-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            agent.signal(Protocol.LISTENING);
            agent.await(Protocol.EXIT, agent.remaining()); // a stopped or killed server never reads it: the configuration's end stops it
        } finally {
            synchronized (held) {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private void accept(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                synchronized (held) {
                    held.add(s);
                }
                Thread reader = new Thread(() -> pong(s), "tcplab-pong");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pong(Socket s) {
        try {
            while (true) {
                LineRequest.readLine(s.getInputStream());
                LineRequest.write(s.getOutputStream(), "PONG");
            }
        } catch (IOException gone) {
            // the client closed, or the connection died
        }
    }
}
