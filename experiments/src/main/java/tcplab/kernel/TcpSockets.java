package tcplab.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The sockets of one network namespace as {@code /proc/PID/net/tcp} lists them: addresses, TCP
 * state and the kernel's pending timer. For a TIME_WAIT socket the timer is the time it has left.
 */
public final class TcpSockets {
    /** TCP states by the hex code /proc/net/tcp prints. */
    static final Map<String, String> STATES = Map.ofEntries(
            Map.entry("01", "ESTABLISHED"), Map.entry("02", "SYN_SENT"), Map.entry("03", "SYN_RECV"),
            Map.entry("04", "FIN_WAIT1"), Map.entry("05", "FIN_WAIT2"), Map.entry("06", "TIME_WAIT"),
            Map.entry("07", "CLOSE"), Map.entry("08", "CLOSE_WAIT"), Map.entry("09", "LAST_ACK"),
            Map.entry("0A", "LISTEN"), Map.entry("0B", "CLOSING"), Map.entry("0C", "NEW_SYN_RECV"));

    /**
     * One socket.
     *
     * @param timer        which timer is pending: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe
     * @param timerMillis  when it fires, from now; the kernel prints it in 1/100 s
     * @param sendQueue    bytes not yet acknowledged by the peer
     * @param receiveQueue bytes not yet read by the application; for a listener, the connections
     *                     waiting in its accept queue
     * @param retransmits  retransmissions of the same segment so far (a SYN, or data), unanswered
     * @param probesOut    keepalive or zero-window probes sent and unanswered (the "timeout" column)
     */
    public record Socket(String local, int localPort, String remote, int remotePort, String state, int timer, long timerMillis,
                         long sendQueue, long receiveQueue, int retransmits, int probesOut) {
    }

    private TcpSockets() {
    }

    /** The sockets of the namespace whose {@code /proc/PID/net} this is: IPv4, and IPv6 (with IPv4-mapped ones). */
    public static List<Socket> read(Path procNet) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(procNet.resolve(table));
            } catch (NoSuchFileException e) {
                continue; // no IPv6 in this kernel
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                Socket s = parse(line);
                if (s != null) {
                    sockets.add(s);
                }
            }
        }
        return sockets;
    }

    /** One line of /proc/net/tcp, or null for a line that is not a socket. */
    static Socket parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 6 || !f[0].endsWith(":")) {
            return null;
        }
        String[] local = f[1].split(":");
        String[] remote = f[2].split(":");
        String[] queues = f[4].split(":");
        String[] timer = f[5].split(":");
        return new Socket(ipv4(local[0]), Integer.parseInt(local[1], 16), ipv4(remote[0]), Integer.parseInt(remote[1], 16),
                STATES.getOrDefault(f[3], f[3]), Integer.parseInt(timer[0], 16), Long.parseLong(timer[1], 16) * 10,
                Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16), f.length > 6 ? Integer.parseInt(f[6], 16) : 0,
                f.length > 8 ? Integer.parseInt(f[8]) : 0);
    }

    /** How many of the namespace's sockets that {@code which} selects are in each state. */
    public static Map<String, Long> countByState(Path procNet, Predicate<Socket> which) throws IOException {
        Map<String, Long> states = new TreeMap<>();
        for (Socket s : read(procNet)) {
            if (which.test(s)) {
                states.merge(s.state(), 1L, Long::sum);
            }
        }
        return states;
    }

    /**
     * The kernel prints an IPv4 address as the 32-bit word in host (little-endian) order, and an IPv6
     * address as four such words; an IPv4-mapped one (::ffff:a.b.c.d) is shown as its IPv4 address.
     */
    static String ipv4(String hex) {
        if (hex.length() == 32) {
            return hex.startsWith("0000000000000000FFFF0000") ? ipv4(hex.substring(24)) : hex;
        }
        long v = Long.parseLong(hex, 16);
        return (v & 0xff) + "." + (v >> 8 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 24 & 0xff);
    }

    /** "10 TIME_WAIT, 1 LISTEN" for a count by state; "no sockets" when empty. */
    public static String describe(Map<String, Long> states) {
        if (states == null || states.isEmpty()) {
            return "no sockets";
        }
        List<String> parts = new ArrayList<>();
        states.forEach((state, n) -> parts.add(n + " " + state));
        return String.join(", ", parts);
    }
}
