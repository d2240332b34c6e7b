package tcplab.experiment.timewait.simultaneousclose;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tcplab.experiment.Agent;
import tcplab.experiment.Message;
import tcplab.experiment.timewait.simultaneousclose.StateRow.Order;
import tcplab.socket.Client;
import tcplab.socket.Target;

/** Either side inside its host: hold {@code pairs} connections per order, close one order's on command. */
final class CloseAgent {
    private final Agent agent;
    private final int pairs;
    private final Map<Order, List<SocketChannel>> held = new EnumMap<>(Order.class);

    CloseAgent(Agent agent) {
        this.agent = agent;
        this.pairs = agent.params().integer("pairs");
    }

    void run() throws Exception {
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try {
            if (agent.role().equals("server")) {
                for (Order order : Order.values()) {
                    InetSocketAddress address = new InetSocketAddress(agent.params().get("bind"), order.port());
                    ServerSocketChannel listener = ServerSocketChannel.open(Target.familyOf(address));
                    listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    listener.bind(address, pairs + 16);
                    listeners.add(listener);
                }
                agent.signal(Protocol.LISTENING);
                for (Order order : Order.values()) {
                    List<SocketChannel> accepted = new ArrayList<>();
                    for (int i = 0; i < pairs; i++) {
                        accepted.add(listeners.get(order.ordinal()).accept());
                    }
                    held.put(order, accepted);
                }
                agent.signal(Protocol.ACCEPTED);
            } else {
                for (Order order : Order.values()) {
                    Client client = new Client(Target.parse(agent.params().get("host") + ":" + order.port()), false, -1, 5000);
                    List<SocketChannel> connected = new ArrayList<>();
                    for (int i = 0; i < pairs; i++) {
                        connected.add(client.open());
                    }
                    held.put(order, connected);
                }
                agent.signal(Protocol.CONNECTED);
            }
            while (!agent.expired()) {
                Message command = agent.next(Protocol.class, Duration.ofSeconds(1));
                if (command == null) {
                    continue;
                }
                if (command.is(Protocol.EXIT)) {
                    break;
                }
                if (command.is(Protocol.CLOSE)) {
                    Order order = command.choice("order", Order.class);
                    for (SocketChannel channel : held.getOrDefault(order, List.of())) {
                        channel.close();
                    }
                    agent.signal(Protocol.CLOSED, "order", order);
                }
            }
        } finally {
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }
}
