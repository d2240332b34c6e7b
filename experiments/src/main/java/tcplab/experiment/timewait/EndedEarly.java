package tcplab.experiment.timewait;

import java.util.Locale;
import tcplab.lab.NetworkPath;
import tcplab.results.Format;
import tcplab.results.RunData;

/**
 * Why a client may hold fewer TIME_WAIT sockets than it created, and so get a few more connections
 * than it has ports: a reset from the peer ends a TIME_WAIT socket at once (tcp_rfc1337 = 0, the
 * default) and frees its port. Captured with tcpdump on this kernel: now and then the client sends
 * its final ACK twice, microseconds apart; the first closes the server's LAST_ACK socket, the
 * second finds no socket and the server answers with a reset, which reaches the client's new
 * TIME_WAIT socket. With tcp_rfc1337 = 1 the client ignores such resets and gets exactly as many
 * connections as ports. The server's Tcp.OutRsts counts the resets.
 */
public final class EndedEarly {
    private EndedEarly() {
    }

    /** The resets the server sent (on loopback the server shares the client's host and counters). */
    public static long serverResets(RunData.Result r) {
        boolean loopback = r.path().equals(NetworkPath.LOOPBACK.label());
        return loopback ? r.clientCounter("Tcp.OutRsts", RunData.DELTA) : r.serverCounter("Tcp.OutRsts", RunData.DELTA);
    }

    /** TIME_WAIT sockets a reset may have ended: none with tcp_rfc1337 = 1, else one per reset the server sent. */
    public static long allowance(RunData.Result r) {
        return "1".equals(r.sysctls().getOrDefault("net.ipv4.tcp_rfc1337", "0").trim()) ? 0 : serverResets(r);
    }

    /** A sentence for a claim's explanation, or empty when every TIME_WAIT socket the client created is still held. */
    public static String explain(RunData.Result r) {
        // TcpExt.TW: sockets moved to timewait with a timer over 4 s; these experiments leave no orphaned FIN_WAIT_2 to count too
        long created = r.clientCounter("TcpExt.TW", RunData.DELTA);
        long held = r.clientCounter("state.TIME_WAIT", RunData.AFTER) - r.clientCounter("state.TIME_WAIT", RunData.BEFORE);
        if (created <= held) {
            return "";
        }
        if ("1".equals(r.sysctls().get("net.ipv4.tcp_rfc1337"))) {
            // RFC 1337 protection: a reset cannot end a TIME_WAIT socket, so resets explain none of the difference
            return String.format(Locale.ROOT, " The client created %s and held %d at the end; with tcp_rfc1337 = 1 no reset ends"
                    + " a TIME_WAIT socket early, so the difference is not the server's %s (Tcp.OutRsts).",
                    Format.count(created, "TIME_WAIT socket"), held, Format.count(serverResets(r), "reset"));
        }
        return String.format(Locale.ROOT, " The client created %s and held %d at the end; the server sent %s"
                + " (Tcp.OutRsts). Now and then the client's kernel sends its final ACK twice; the second finds the server's side already"
                + " closed, the server answers with a reset, and a reset ends a TIME_WAIT socket at once (tcp_rfc1337 = 0), freeing its"
                + " port for another connection: the model allows one more connection per reset.",
                Format.count(created, "TIME_WAIT socket"), held, Format.count(serverResets(r), "reset"));
    }
}
