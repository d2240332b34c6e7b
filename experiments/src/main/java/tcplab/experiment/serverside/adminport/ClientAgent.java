package tcplab.experiment.serverside.adminport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.Params;
import tcplab.experiment.RawTable;
import tcplab.experiment.serverside.adminport.AdminPortExperiment.Mode;

/** The client inside its host: management probes from the start; business requests (held open) between LOAD_START and LOAD_STOP. */
final class ClientAgent {
    private final Agent agent;
    private final Params p;
    private final Duration deadline;
    private final ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();

    ClientAgent(Agent agent) {
        this.agent = agent;
        this.p = agent.params();
        this.deadline = Duration.ofMillis(p.integer("deadline"));
    }

    void run() throws Exception {
        String host = p.get("host");
        InetSocketAddress adminTarget = new InetSocketAddress(host, p.choice("mode", Mode.class) == Mode.SHARED
                ? AdminPortExperiment.BUSINESS_PORT : AdminPortExperiment.ADMIN_PORT);
        InetSocketAddress businessTarget = new InetSocketAddress(host, AdminPortExperiment.BUSINESS_PORT);
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
        // a request can wait up to the deadline; enough threads that waiting ones do not slow the schedule
        ExecutorService probers = Executors.newFixedThreadPool((int) (deadline.toMillis() / AdminPortExperiment.PROBE_EVERY_MILLIS) + 2);
        ExecutorService connectors = Executors.newFixedThreadPool(Math.min(64, p.integer("rate") * (p.integer("deadline") / 1000 + 1) + 1));
        try (var probes = ProbeRow.TABLE.open(agent); var load = LoadRow.TABLE.open(agent)) {
            ticks.scheduleAtFixedRate(() -> probers.execute(() -> {
                long start = System.currentTimeMillis();
                LineRequest.Result r = LineRequest.send(adminTarget, "HEALTH", deadline);
                add(probes, new ProbeRow(start, r.outcome(), r.connectMicros(), r.totalMicros(),
                        r.outcome() == LineRequest.Outcome.ANSWERED ? "" : r.detail()));
            }), 0, AdminPortExperiment.PROBE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            agent.signal(Protocol.PROBING);
            ScheduledFuture<?> loading = null;
            while (!agent.expired()) {
                Message command = agent.next(Protocol.class, Duration.ofSeconds(1));
                if (command == null) {
                    continue;
                }
                if (command.is(Protocol.LOAD_START)) {
                    loading = ticks.scheduleAtFixedRate(() -> connectors.execute(() -> add(load, business(businessTarget))),
                            0, 1_000_000 / p.integer("rate"), TimeUnit.MICROSECONDS);
                } else if (command.is(Protocol.LOAD_STOP) && loading != null) {
                    loading.cancel(false);
                } else if (command.is(Protocol.EXIT)) {
                    break;
                }
            }
            ticks.shutdownNow();
            for (ExecutorService pool : List.of(probers, connectors)) {
                pool.shutdown();
                pool.awaitTermination(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** One business request: connect, send WORK, keep the connection (the answer comes when the downstream recovers). */
    private LoadRow business(InetSocketAddress target) {
        long start = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Socket s = new Socket();
        try {
            s.connect(target, (int) deadline.toMillis());
            LineRequest.write(s.getOutputStream(), "WORK");
            held.add(s);
            return new LoadRow(start, LineRequest.Outcome.NO_ANSWER, (System.nanoTime() - t0) / 1000);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failed
            }
            return new LoadRow(start, e instanceof SocketTimeoutException ? LineRequest.Outcome.CONNECT_TIMEOUT : LineRequest.Outcome.ERROR, -1);
        }
    }

    /** Rows come from many threads; a CSV printer takes one at a time. */
    private static <R extends Record> void add(RawTable<R>.Log log, R row) {
        synchronized (ClientAgent.class) {
            log.addUnchecked(row);
        }
    }
}
