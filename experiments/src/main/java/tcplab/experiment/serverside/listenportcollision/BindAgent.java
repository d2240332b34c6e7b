package tcplab.experiment.serverside.listenportcollision;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tcplab.experiment.Agent;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.experiment.serverside.listenportcollision.BindRow.Outcome;
import tcplab.socket.Client;
import tcplab.socket.Target;

/**
 * The client host: hold the connections, try each port as a server would, reset the connections
 * (so no TIME_WAIT carries over), repeat.
 */
final class BindAgent {
    private BindAgent() {
    }

    static void run(Agent agent) throws Exception {
        int trials = agent.params().integer("trials");
        int n = agent.params().integer("connections");
        Map<Case, Integer> ports = ListenPortCollisionExperiment.decode(agent.params().get("ports"));
        Client client = new Client(Target.parse(agent.params().get("target")), false, 0, 5000); // SO_LINGER 0: close resets
        try (var rows = BindRow.TABLE.open(agent)) {
            for (int t = 1; t <= trials && !agent.expired(); t++) {
                List<SocketChannel> held = new ArrayList<>(n);
                Set<Integer> local = new HashSet<>();
                try {
                    for (int i = 0; i < n && !agent.expired(); i++) {
                        SocketChannel c = client.open();
                        held.add(c);
                        local.add(((InetSocketAddress) c.getLocalAddress()).getPort());
                    }
                    for (Map.Entry<Case, Integer> port : ports.entrySet()) {
                        String error = tryListen(port.getValue());
                        rows.add(new BindRow(t, held.size(), port.getKey(), port.getValue(), local.contains(port.getValue()),
                                error == null ? Outcome.LISTENING : Outcome.FAILED, error == null ? "" : error));
                    }
                } finally {
                    held.forEach(Client::closeQuietly);
                }
                if (t % Math.max(1, trials / 4) == 0) {
                    agent.say(t + " of " + trials + " trials");
                }
            }
        }
        agent.done(trials + " trials with " + n + " connections held");
    }

    /** null when a server could listen on the port (with Java's defaults, as most servers start), else the error. */
    private static String tryListen(int port) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port), 50);
            return null;
        } catch (BindException e) {
            return e.getMessage();
        }
    }
}
