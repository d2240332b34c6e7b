package tcplab.experiment.serverside.restartrebind;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Agent;
import tcplab.experiment.Message;
import tcplab.experiment.serverside.restartrebind.Protocol.When;
import tcplab.socket.Client;
import tcplab.socket.Target;

/** The clients: connect, then close first, or close when the server's FIN arrives. */
final class Clients {
    private Clients() {
    }

    static void run(Agent agent) throws Exception {
        int n = agent.params().integer("connections");
        Client client = new Client(Target.parse(agent.params().get("host") + ":" + RestartRebindExperiment.PORT), false, -1, 5000);
        List<SocketChannel> connected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            connected.add(client.open());
        }
        agent.signal(Protocol.CONNECTED);
        Message command = agent.await(Protocol.CLOSE, agent.remaining()); // none by the deadline: close all the same
        boolean onEof = command != null && command.choice("when", When.class) == When.ON_EOF;
        for (SocketChannel c : connected) {
            if (onEof) {
                client.awaitEof(c);
            }
            c.close();
        }
        agent.signal(Protocol.CLOSED);
    }
}
