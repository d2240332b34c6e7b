package tcplab.experiment.timeouts.connecttimeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;
import tcplab.experiment.Agent;
import tcplab.experiment.timeouts.connecttimeout.AttemptRow.Outcome;

/** The client inside its host: connect, one attempt after the other, and record how and when each ended. */
final class ConnectAgent {
    private final Agent agent;

    ConnectAgent(Agent agent) {
        this.agent = agent;
    }

    void run() throws IOException {
        String[] target = agent.params().get("target").split(":");
        InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
        int timeout = agent.params().integer("connectTimeout");
        try (var rows = AttemptRow.TABLE.open(agent)) {
            for (int i = 1; i <= agent.params().integer("attempts") && !agent.expired(); i++) {
                long start = System.currentTimeMillis();
                Outcome outcome;
                String error = "";
                try (Socket socket = new Socket()) {
                    socket.connect(address, timeout); // 0: wait as long as the kernel does
                    outcome = Outcome.CONNECTED;
                } catch (SocketTimeoutException e) {
                    outcome = Outcome.APPLICATION_TIMEOUT;
                    error = java.util.Objects.toString(e.getMessage(), e.getClass().getSimpleName());
                } catch (IOException e) {
                    outcome = String.valueOf(e.getMessage()).contains("timed out") ? Outcome.KERNEL_TIMEOUT : Outcome.ERROR;
                    error = java.util.Objects.toString(e.getMessage(), e.getClass().getSimpleName()); // some carry no message
                }
                AttemptRow row = new AttemptRow(i, start, System.currentTimeMillis(), outcome, error);
                rows.add(row);
                agent.say(String.format(Locale.ROOT, "attempt %d: %s after %.2f s%s", i, outcome, row.seconds(),
                        error.isEmpty() ? "" : " (" + error + ")"));
            }
        }
    }
}
