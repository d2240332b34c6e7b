package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import tcplab.experiment.Agent;

/** The server inside its host: read and discard everything, until told to stop. */
final class ReaderAgent {
    private final Agent agent;

    ReaderAgent(Agent agent) {
        this.agent = agent;
    }

    void run() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(agent.params().get("bind"), StuckWriteExperiment.PORT), 4);
            agent.signal(Protocol.LISTENING);
            Socket s = listener.accept();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[65536];
                try (InputStream in = s.getInputStream()) {
                    while (in.read(buffer) >= 0) {
                        // discard
                    }
                } catch (IOException gone) {
                    // the connection ended
                }
            }, "tcplab-reader");
            reader.setDaemon(true);
            reader.start();
            agent.await(Protocol.EXIT, agent.remaining());
            s.close();
        }
    }
}
