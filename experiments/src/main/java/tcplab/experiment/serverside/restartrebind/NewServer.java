package tcplab.experiment.serverside.restartrebind;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Locale;
import tcplab.experiment.Agent;
import tcplab.experiment.serverside.restartrebind.AttemptRow.Result;
import tcplab.results.Format;

/** The new server: record Java's defaults, then bind with the option set explicitly, retrying. */
final class NewServer {
    private NewServer() {
    }

    static void run(Agent agent) throws Exception {
        try (var defaults = JavaDefaultRow.TABLE.open(agent);
             ServerSocket plain = new ServerSocket();
             ServerSocketChannel channel = ServerSocketChannel.open()) {
            defaults.add(new JavaDefaultRow("ServerSocket", plain.getReuseAddress()));
            defaults.add(new JavaDefaultRow("ServerSocketChannel", channel.getOption(StandardSocketOptions.SO_REUSEADDR)));
        }
        boolean reuse = Setup.of(agent.params()).newReuse();
        InetSocketAddress address = new InetSocketAddress(agent.params().get("bind"), RestartRebindExperiment.PORT);
        long every = RestartRebindExperiment.RETRY_EVERY_MILLIS;
        long start = System.currentTimeMillis();
        long until = start + agent.params().integer("retry") * 1000L;
        int attempt = 0;
        try (var rows = AttemptRow.TABLE.open(agent)) {
            while (true) {
                attempt++;
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
                    listener.bind(address, 50);
                    rows.add(new AttemptRow(attempt, System.currentTimeMillis(), Result.BOUND, ""));
                    agent.done(String.format(Locale.ROOT, "bound after %d ms (attempt %d)", System.currentTimeMillis() - start, attempt));
                    return;
                } catch (BindException e) {
                    rows.add(new AttemptRow(attempt, System.currentTimeMillis(), Result.FAILED, e.getMessage()));
                    if (attempt == 1) {
                        agent.say("bind: " + e.getMessage() + "; retrying every " + every + " ms");
                    }
                }
                if (System.currentTimeMillis() + every > until || agent.expired()) {
                    agent.done(String.format(Locale.ROOT, "still failing after %d ms (%s)", System.currentTimeMillis() - start,
                            Format.count(attempt, "attempt")));
                    return;
                }
                Thread.sleep(every);
            }
        }
    }
}
