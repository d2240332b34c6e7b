package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Agent;
import tcplab.experiment.RawTable;
import tcplab.kernel.KernelCounters;
import tcplab.socket.Client;
import tcplab.socket.FailureCause;
import tcplab.socket.Target;

/** The client inside its host: connect and close, round-robin over the server's ports, until done or out of ports. */
final class ClientAgent {
    private ClientAgent() {
    }

    static void run(Agent agent) throws Exception {
        int wanted = agent.params().integer("connections");
        List<Client> targets = new ArrayList<>();
        for (String t : agent.params().get("targets").split(",")) {
            targets.add(new Client(Target.parse(t), false, -1, 5000));
        }
        Path procNet = Path.of("/proc/self/net");
        long ok = 0;
        long noPort = 0;
        long other = 0;
        int streak = 0; // consecutive EADDRNOTAVAIL over every port: nothing left to take
        try (RawTable<SecondRow>.Log rows = SecondRow.TABLE.open(agent)) {
            long nextRow = System.nanoTime() + 1_000_000_000L;
            int second = 1;
            long[] window = new long[3];
            for (long i = 0; ok < wanted && !agent.expired() && streak < 1000L * targets.size(); i++) {
                try (SocketChannel channel = targets.get((int) (i % targets.size())).open()) {
                    ok++;
                    window[0]++;
                    streak = 0;
                } catch (IOException e) {
                    if (FailureCause.of(e) == FailureCause.ADDRESS_NOT_AVAILABLE) {
                        noPort++;
                        window[1]++;
                        streak++;
                    } else {
                        other++;
                        window[2]++;
                    }
                }
                if (System.nanoTime() - nextRow >= 0) {
                    long tw = KernelCounters.timeWait(procNet);
                    rows.add(new SecondRow(second, window[0], window[1], window[2], tw));
                    agent.say(String.format(Locale.ROOT, "second %d: %d connections so far, TIME_WAIT %d", second++, ok, tw));
                    window = new long[3];
                    nextRow += 1_000_000_000L;
                }
            }
            rows.add(new SecondRow(second, window[0], window[1], window[2], KernelCounters.timeWait(procNet)));
        }
        // progress only: the run side counts from raw/ID.seconds.csv
        agent.done(String.format(Locale.ROOT, "ok=%d addrNotAvailable=%d other=%d", ok, noPort, other));
    }
}
