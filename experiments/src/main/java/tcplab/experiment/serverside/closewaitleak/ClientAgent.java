package tcplab.experiment.serverside.closewaitleak;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.RawTable;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;

/** The client: requests in phases, on command, each one a row. */
final class ClientAgent {
    private final Agent agent;
    private final InetSocketAddress target;
    private final Duration deadline;

    ClientAgent(Agent agent) {
        this.agent = agent;
        this.target = new InetSocketAddress(agent.params().get("host"), CloseWaitLeakExperiment.PORT);
        this.deadline = Duration.ofMillis(agent.params().integer("deadline"));
    }

    void run() throws Exception {
        try (var rows = RequestRow.TABLE.open(agent)) {
            agent.signal(Protocol.READY);
            while (!agent.expired()) {
                Message command = agent.next(Protocol.class, Duration.ofSeconds(1));
                if (command == null) {
                    continue;
                }
                switch ((Protocol) command.kind()) {
                    case EARLY -> {
                        int first = request(rows, Phase.EARLY, 0, deadline).localPort();
                        for (int i = 1; i < CloseWaitLeakExperiment.EARLY_REQUESTS; i++) {
                            request(rows, Phase.EARLY, 0, deadline);
                        }
                        agent.signal(Protocol.EARLY_DONE, "port", first);
                    }
                    case RECONNECT -> {
                        LineRequest.Result r = request(rows, Phase.RECONNECT, command.integer("port"), Duration.ofSeconds(10));
                        agent.signal(Protocol.RECONNECTED, "outcome", r.outcome(), "connect_us", r.connectMicros());
                    }
                    case TRAFFIC -> traffic(rows);
                    case AFTER -> {
                        for (int i = 0; i < CloseWaitLeakExperiment.AFTER_REQUESTS; i++) {
                            request(rows, Phase.AFTER, 0, deadline);
                        }
                        agent.signal(Protocol.AFTER_DONE);
                    }
                    case EXIT -> {
                        return;
                    }
                    default -> { }
                }
            }
        }
    }

    /** Requests at the given rate for the given time, each on its own thread so a hung one does not slow the rest. */
    private void traffic(RawTable<RequestRow>.Log rows) throws InterruptedException {
        int rate = agent.params().integer("rate");
        long seconds = agent.params().integer("traffic");
        ExecutorService senders = Executors.newFixedThreadPool((int) Math.min(256, rate * (deadline.toMillis() / 1000 + 1) + 1));
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        ticks.scheduleAtFixedRate(() -> senders.execute(() -> request(rows, Phase.TRAFFIC, 0, deadline)), 0, 1_000_000 / rate,
                TimeUnit.MICROSECONDS);
        Thread.sleep(seconds * 1000);
        ticks.shutdownNow();
        senders.shutdown();
        senders.awaitTermination(deadline.toMillis() + 5000, TimeUnit.MILLISECONDS);
        agent.say("traffic done");
    }

    private LineRequest.Result request(RawTable<RequestRow>.Log rows, Phase phase, int localPort, Duration within) {
        long at = System.currentTimeMillis();
        LineRequest.Result r = LineRequest.send(target, localPort, "HELLO", within);
        synchronized (rows) {
            rows.addUnchecked(new RequestRow(phase, at, r.outcome(), r.connectMicros(), r.totalMicros(), r.localPort(),
                    r.outcome() == LineRequest.Outcome.ANSWERED ? "" : r.detail()));
        }
        return r;
    }
}
