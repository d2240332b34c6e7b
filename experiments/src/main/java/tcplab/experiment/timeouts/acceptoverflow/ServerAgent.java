package tcplab.experiment.timeouts.acceptoverflow;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Agent;

/** The server inside its host: listen with a small backlog, accept one connection every so often, hold them. */
final class ServerAgent {
    private final Agent agent;

    ServerAgent(Agent agent) {
        this.agent = agent;
    }

    void run() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), AcceptOverflowExperiment.PORT), agent.params().integer("backlog"));
            listener.setSoTimeout(100);
            agent.signal(Protocol.LISTENING);
            long every = agent.params().integer("acceptEvery");
            long next = System.currentTimeMillis();
            while (!agent.expired()) {
                if (agent.await(Protocol.EXIT, Duration.ofMillis(Math.max(1, next - System.currentTimeMillis()))) != null) {
                    break;
                }
                try {
                    held.add(listener.accept());
                } catch (SocketTimeoutException nobody) {
                    // nothing waiting; try again at the next turn
                }
                next += every;
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
