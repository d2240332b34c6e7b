package tcplab.experiment.timewait;

import java.util.Locale;
import tcplab.lab.NetworkPath;
import tcplab.results.RunData;

/**
 * Why a client may hold fewer TIME_WAIT sockets than it created: a reset from the peer ends a
 * TIME_WAIT socket at once (tcp_rfc1337 = 0, the default) and frees its port. Says what the
 * counters show, and no more.
 */
final class EndedEarly {
    private EndedEarly() {
    }

    /** A sentence for a claim's explanation, or empty when every TIME_WAIT socket the client created is still held. */
    static String explain(RunData.Result r) {
        long created = r.clientCounter("TcpExt.TW", RunData.DELTA);
        long held = r.clientCounter("state.TIME_WAIT", RunData.AFTER) - r.clientCounter("state.TIME_WAIT", RunData.BEFORE);
        if (created <= held) {
            return "";
        }
        boolean loopback = r.path().equals(NetworkPath.LOOPBACK.label());
        long resets = loopback ? r.clientCounter("Tcp.OutRsts", RunData.DELTA) : r.serverCounter("Tcp.OutRsts", RunData.DELTA);
        return String.format(Locale.ROOT, " The client created %d TIME_WAIT sockets and held %d at the end; the server sent %d resets"
                + " (Tcp.OutRsts), and a reset ends a TIME_WAIT socket at once (tcp_rfc1337 = 0), freeing its port. The counters do not"
                + " say which segments were reset.", created, held, resets);
    }
}
