package tcplab.experiment.serverside.closewaitleak;

import static tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.PORT;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import tcplab.experiment.RawTable;
import tcplab.experiment.Trial;
import tcplab.kernel.TcpSockets;
import tcplab.lab.ProcessUsage;

/**
 * Samples both hosts and the server process every 200 ms while the run side waits, from outside the
 * process: one out of descriptors cannot read its own /proc/self/fd.
 */
final class Sampler {
    static final long EVERY_MILLIS = 200;

    private final Trial trial;
    private final long serverPid;
    private final RawTable<SampleRow>.Log rows;

    Sampler(Trial trial, long serverPid, RawTable<SampleRow>.Log rows) {
        this.trial = trial;
        this.serverPid = serverPid;
        this.rows = rows;
    }

    interface Condition {
        boolean met() throws IOException;
    }

    /** Samples until {@code done} or the time is up. */
    void until(Condition done, Duration most) throws IOException {
        long end = System.currentTimeMillis() + most.toMillis();
        while (System.currentTimeMillis() < end && !done.met() && trial.sleep(Duration.ofMillis(EVERY_MILLIS))) {
            sample();
        }
    }

    /** Samples for this long. */
    void during(Duration d) throws IOException {
        until(() -> false, d);
    }

    void sample() throws IOException {
        long closeWait = 0;
        long established = 0;
        long acceptQueue = 0;
        for (TcpSockets.Socket s : TcpSockets.read(trial.lab().server().procNet())) {
            if (s.localPort() != PORT) {
                continue;
            }
            switch (s.state()) {
                case "CLOSE_WAIT" -> closeWait++;
                case "ESTABLISHED" -> established++;
                case "LISTEN" -> acceptQueue = s.receiveQueue();
                default -> { }
            }
        }
        Map<String, Long> client = TcpSockets.countByState(trial.lab().client().procNet(), s -> s.remotePort() == PORT);
        ProcessUsage usage;
        try {
            usage = ProcessUsage.read(serverPid);
        } catch (IOException gone) {
            usage = new ProcessUsage(-1, -1, -1, -1);
        }
        rows.add(new SampleRow(System.currentTimeMillis(), closeWait, established, acceptQueue, usage.fds(), usage.cpuMillis(),
                usage.rssKb(), client.getOrDefault("FIN_WAIT2", 0L), client.getOrDefault("TIME_WAIT", 0L)));
    }
}
