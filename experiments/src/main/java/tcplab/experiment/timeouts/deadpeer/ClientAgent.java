package tcplab.experiment.timeouts.deadpeer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.net.ExtendedSocketOptions;
import tcplab.experiment.Agent;
import tcplab.experiment.LineRequest;
import tcplab.experiment.Message;
import tcplab.experiment.Params;
import tcplab.experiment.timeouts.deadpeer.DetectionRow.Mechanism;

/** The client inside its host: one idle connection per mechanism; notes when each notices the fault. */
final class ClientAgent {
    private final Agent agent;
    private final Params p;
    private final Map<Mechanism, Long> idleSince = new EnumMap<>(Mechanism.class);
    private final Map<Mechanism, Noticed> noticed = new ConcurrentHashMap<>();

    /** When and how a mechanism noticed. */
    private record Noticed(long atMs, String how) {
    }

    ClientAgent(Agent agent) {
        this.agent = agent;
        this.p = agent.params();
    }

    void run() throws Exception {
        InetSocketAddress target = new InetSocketAddress(p.get("host"), DeadPeerExperiment.PORT);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (Mechanism m : Mechanism.values()) {
                Socket s = open(m, target);
                idleSince.put(m, System.currentTimeMillis());
                sockets.add(s);
                Thread watcher = new Thread(m == Mechanism.HEARTBEAT ? () -> heartbeat(s) : () -> waitInRead(s, m), "tcplab-" + m);
                watcher.setDaemon(true);
                watcher.start();
            }
            agent.signal(Protocol.READY, "keepalive_port", sockets.get(Mechanism.KEEPALIVE_TUNED.ordinal()).getLocalPort(),
                    "heartbeat_port", sockets.get(Mechanism.HEARTBEAT.ordinal()).getLocalPort());
            Message command = agent.await(Protocol.FAULT, agent.remaining());
            long fault = command == null ? System.currentTimeMillis() : command.number("at_ms");
            long until = fault + p.integer("window") * 1000L;
            while (noticed.size() < Mechanism.values().length && System.currentTimeMillis() < until && !agent.expired()) {
                Thread.sleep(20);
            }
            try (var rows = DetectionRow.TABLE.open(agent)) {
                for (Mechanism m : Mechanism.values()) {
                    Noticed n = noticed.get(m);
                    rows.add(new DetectionRow(m, idleSince.get(m), fault, n == null ? null : n.atMs(), n == null ? "not detected" : n.how()));
                }
            }
            agent.done(noticed.size() + " of " + Mechanism.values().length + " mechanisms noticed within " + p.integer("window") + " s");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private Socket open(Mechanism m, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        if (m == Mechanism.KEEPALIVE_DEFAULT || m == Mechanism.KEEPALIVE_TUNED) {
            s.setKeepAlive(true);
        }
        if (m == Mechanism.KEEPALIVE_TUNED) {
            s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, p.integer("keepIdle"));
            s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, p.integer("keepInterval"));
            s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, p.integer("keepCount"));
        }
        s.connect(target, 5000);
        return s;
    }

    /** Blocks in read(); the connection's end (EOF, a reset, a timeout the kernel reports) is when this mechanism noticed. */
    private void waitInRead(Socket s, Mechanism m) {
        String how;
        try {
            InputStream in = s.getInputStream();
            how = in.read() < 0 ? "end of stream (the peer closed)" : "unexpected data";
        } catch (IOException e) {
            how = String.valueOf(e.getMessage());
        }
        note(s, m, how);
    }

    /** PING every interval; a PONG missing its deadline, or the connection ending, is when the heartbeat noticed. */
    private void heartbeat(Socket s) {
        long every = p.integer("heartbeat");
        String how;
        try {
            s.setSoTimeout(p.integer("deadline"));
            while (true) {
                long sent = System.currentTimeMillis();
                LineRequest.write(s.getOutputStream(), "PING");
                LineRequest.readLine(s.getInputStream());
                Thread.sleep(Math.max(0, sent + every - System.currentTimeMillis()));
            }
        } catch (SocketTimeoutException e) {
            how = "no PONG within the deadline";
        } catch (IOException e) {
            how = String.valueOf(e.getMessage());
        } catch (InterruptedException e) {
            return;
        }
        note(s, Mechanism.HEARTBEAT, how);
    }

    /** A socket we closed ourselves (the run is over) noticed nothing. */
    private void note(Socket s, Mechanism m, String how) {
        if (!s.isClosed()) {
            noticed.putIfAbsent(m, new Noticed(System.currentTimeMillis(), how));
        }
    }
}
