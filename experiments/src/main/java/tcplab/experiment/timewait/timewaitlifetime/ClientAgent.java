package tcplab.experiment.timewait.timewaitlifetime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import tcplab.experiment.Agent;
import tcplab.experiment.RawTable;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Kind;
import tcplab.socket.Client;
import tcplab.socket.Target;

/** The client inside its host: connect to both servers, then close everything at once, each close recorded. */
final class ClientAgent {
    private ClientAgent() {
    }

    static void run(Agent agent) throws Exception {
        int n = agent.params().integer("sockets");
        Client toCloser = new Client(Target.parse(agent.params().get("target")), false, -1, 5000);
        Client toHolder = new Client(Target.parse(agent.params().get("holdTarget")), false, -1, 5000);
        List<SocketChannel> timeWait = new ArrayList<>();
        List<SocketChannel> finWait = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            timeWait.add(toCloser.open());
            finWait.add(toHolder.open());
        }
        try (RawTable<ClosedRow>.Log rows = ClosedRow.TABLE.open(agent)) {
            close(timeWait, Kind.TIME_WAIT, rows);
            close(finWait, Kind.FIN_WAIT2, rows);
        }
        agent.say("closed " + n + " connections into TIME_WAIT and " + n + " into FIN_WAIT_2");
        agent.signal(Protocol.CLOSED);
    }

    private static void close(List<SocketChannel> channels, Kind kind, RawTable<ClosedRow>.Log rows) throws IOException {
        for (SocketChannel channel : channels) {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            channel.close();
            rows.add(new ClosedRow(local.getPort(), remote.getPort(), kind, System.currentTimeMillis()));
        }
    }
}
