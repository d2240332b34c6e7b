package tcplab.experiment.serverside.restartrebind;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Agent;
import tcplab.experiment.Message;

/** The old server: listen, accept every connection, then drain or exit on command (or be killed). */
final class OldServer {
    private OldServer() {
    }

    static void run(Agent agent) throws Exception {
        int n = agent.params().integer("connections");
        List<SocketChannel> accepted = new ArrayList<>();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, Setup.of(agent.params()).oldReuse());
        listener.bind(new InetSocketAddress(agent.params().get("bind"), RestartRebindExperiment.PORT), n + 16);
        agent.signal(Protocol.LISTENING);
        for (int i = 0; i < n; i++) {
            accepted.add(listener.accept());
        }
        agent.signal(Protocol.ACCEPTED);
        while (!agent.expired()) {
            Message command = agent.next(Protocol.class, Duration.ofSeconds(1));
            if (command != null && command.is(Protocol.DRAIN)) {
                listener.close(); // keeps the accepted connections, as a draining server does
                agent.signal(Protocol.DRAINED);
            } else if (command != null && command.is(Protocol.EXIT)) {
                break;
            }
        }
        for (SocketChannel c : accepted) {
            c.close();
        }
        listener.close();
    }
}
