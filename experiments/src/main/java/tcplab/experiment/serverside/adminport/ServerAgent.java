package tcplab.experiment.serverside.adminport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.Params;
import tcplab.experiment.serverside.adminport.AdminPortExperiment.Mode;
import tcplab.kernel.KernelCounters;
import tcplab.kernel.TcpSockets;

/**
 * The server inside its host: an acceptor that takes a connection only when a business thread or a
 * queue slot is free, the pool, the stuck downstream, and (SEPARATE) the management port's own thread.
 */
final class ServerAgent {
    private final Agent agent;
    private final Params p;
    private final CountDownLatch downstream = new CountDownLatch(1);

    ServerAgent(Agent agent) {
        this.agent = agent;
        this.p = agent.params();
    }

    void run() throws Exception {
        int workers = p.integer("workers");
        int queue = p.integer("queue");
        Semaphore slots = new Semaphore(workers + queue);
        // the semaphore is the limit; the queue has room for the moment a finished task's worker is not yet back
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue + workers));
        ServerSocket business = listen(AdminPortExperiment.BUSINESS_PORT);
        ServerSocket admin = p.choice("mode", Mode.class) == Mode.SEPARATE ? listen(AdminPortExperiment.ADMIN_PORT) : null;
        daemon("acceptor", () -> accept(business, slots, pool)).start();
        if (admin != null) {
            daemon("admin", () -> answer(admin)).start();
        }
        agent.signal(Protocol.LISTENING);
        try (var samples = SampleRow.TABLE.open(agent)) {
            while (!agent.expired()) {
                Message command = agent.next(Protocol.class, Duration.ofMillis(100));
                if (command != null && command.is(Protocol.RELEASE)) {
                    downstream.countDown();
                } else if (command != null && command.is(Protocol.EXIT)) {
                    break;
                }
                samples.add(sample(pool));
            }
        } finally {
            downstream.countDown();
            business.close();
            if (admin != null) {
                admin.close();
            }
            pool.shutdownNow();
        }
    }

    private ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(p.get("bind"), port), p.integer("backlog"));
        return s;
    }

    /** Business connections, each to the pool; WORK waits for the downstream, anything else (HEALTH) is answered at once. */
    private void accept(ServerSocket business, Semaphore slots, ThreadPoolExecutor pool) {
        while (!business.isClosed()) {
            try {
                slots.acquire();
                Socket s = business.accept();
                pool.execute(() -> {
                    try (s) {
                        s.setSoTimeout((int) Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()));
                        String request = LineRequest.readLine(s.getInputStream());
                        if (request.equals("WORK")) {
                            downstream.await(Math.max(1, agent.deadlineMillis() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                            LineRequest.write(s.getOutputStream(), "DONE");
                        } else {
                            LineRequest.write(s.getOutputStream(), "OK");
                        }
                    } catch (IOException | InterruptedException ignored) {
                        // the client gave up; nothing to answer
                    } finally {
                        slots.release();
                    }
                });
            } catch (IOException | InterruptedException e) {
                slots.release();
            }
        }
    }

    /** The management port's own thread: one request at a time, never behind the pool. */
    private static void answer(ServerSocket admin) {
        while (!admin.isClosed()) {
            try (Socket s = admin.accept()) {
                s.setSoTimeout(2000);
                LineRequest.readLine(s.getInputStream());
                LineRequest.write(s.getOutputStream(), "OK");
            } catch (IOException ignored) {
                // one bad management connection must not stop the others
            }
        }
    }

    private static SampleRow sample(ThreadPoolExecutor pool) throws IOException {
        Path net = Path.of("/proc/self/net");
        Map<String, Long> mib = KernelCounters.mib(net);
        long businessQueue = -1;
        Long adminQueue = null;
        for (TcpSockets.Socket s : TcpSockets.read(net)) {
            if (s.state().equals("LISTEN") && s.localPort() == AdminPortExperiment.BUSINESS_PORT) {
                businessQueue = s.receiveQueue();
            } else if (s.state().equals("LISTEN") && s.localPort() == AdminPortExperiment.ADMIN_PORT) {
                adminQueue = s.receiveQueue();
            }
        }
        return new SampleRow(System.currentTimeMillis(), pool.getActiveCount(), pool.getQueue().size(), businessQueue, adminQueue,
                mib.getOrDefault("TcpExt.ListenOverflows", 0L), mib.getOrDefault("TcpExt.ListenDrops", 0L));
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "tcplab-" + name);
        t.setDaemon(true);
        return t;
    }
}
