package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import tcplab.experiment.Agent;

/** The server inside its host: read and discard everything, on the main connection and the ladder's probe, until told to stop. */
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
            read(s, "tcplab-reader");
            // the probe, if the client opens one: accepted on its own thread, so EXIT never waits for it (closing the listener ends it)
            Thread accepting = new Thread(() -> {
                try {
                    listener.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, agent.remaining().toMillis())));
                    read(listener.accept(), "tcplab-probe-reader");
                } catch (IOException none) {
                    // no probe came
                }
            }, "tcplab-probe-accept");
            accepting.setDaemon(true);
            accepting.start();
            agent.await(Protocol.EXIT, agent.remaining());
            s.close();
        }
    }

    /** Reads and discards {@code s} on a daemon thread until it ends. */
    private static void read(Socket s, String name) {
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = s.getInputStream()) {
                while (in.read(buffer) >= 0) {
                    // discard
                }
            } catch (IOException gone) {
                // the connection ended
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
    }
}
