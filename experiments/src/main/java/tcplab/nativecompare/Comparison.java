package tcplab.nativecompare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.server.ClosePolicy;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;

/**
 * One comparison compare-native makes: a side of tcplab against C code that does the same work, on
 * the same veth path, with a close mode and a number of client threads (one connection at a time
 * per thread). Plans as data: {@link #all} makes the list the command line asks for.
 */
public record Comparison(Side side, CloseMode closeMode, int threads) {
    /** Client threads, one connection at a time each: a few per core is already past what a 2-core machine can drive. */
    public static final int MAX_THREADS = 16;

    /** What stands against C, and what is the same on both sides of the comparison. */
    public enum Side {
        /** ConnectCloseBenchmark against the C client (connect_close.c), both against the tcplab server. */
        CLIENT("client", "ConnectCloseBenchmark", "C client (connect_close.c)"),
        /** The tcplab server against the C server (serve.c), both under the same C client. */
        SERVER("server", "tcplab serve", "C server (serve.c)"),
        /**
         * The whole stack, a 1-byte request and its answer per connection: ConnectCloseBenchmark
         * {@code exchange=REQUEST} against {@code tcplab serve --policy ANSWER}, and the C client and
         * C server doing the same, the pair neper's {@code tcp_crr} is.
         */
        STACK("stack", "ConnectCloseBenchmark + tcplab serve", "C client + C server (tcp_crr's work)");

        public final String word;
        public final String tcplab;
        public final String c;

        Side(String word, String tcplab, String c) {
            this.word = word;
            this.tcplab = tcplab;
            this.c = c;
        }
    }

    /** The two things measured in each comparison. */
    public enum Contender {
        TCPLAB, C;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Comparison {
        if (closeMode != CloseMode.CLIENT_RST && closeMode != CloseMode.CLIENT_FIN) {
            throw new IllegalArgumentException("compare-native compares CLIENT_RST or CLIENT_FIN, not " + closeMode);
        }
        if (side == Side.STACK && closeMode != CloseMode.CLIENT_RST) {
            throw new IllegalArgumentException("the stack comparison closes with an RST, as tcp_crr does");
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 1 to " + MAX_THREADS + ", not " + threads);
        }
    }

    /**
     * Every comparison of these sides, close modes and thread counts, in that order; the stack is
     * compared with an RST close only (tcp_crr's), so a FIN close adds nothing there.
     */
    public static List<Comparison> all(List<Side> sides, List<CloseMode> modes, List<Integer> threads) {
        List<Comparison> out = new ArrayList<>();
        for (Side side : sides) {
            for (CloseMode mode : modes) {
                if (side == Side.STACK && mode != CloseMode.CLIENT_RST) {
                    continue;
                }
                for (int t : threads) {
                    out.add(new Comparison(side, mode, t));
                }
            }
        }
        return out;
    }

    public Exchange exchange() {
        return side == Side.STACK ? Exchange.REQUEST : Exchange.NONE;
    }

    /** What the server does with each connection, the same for the tcplab and the C server. */
    public ClosePolicy serverPolicy() {
        return ClosePolicy.forClient(closeMode, exchange());
    }

    /** Whether tcplab's own code is this contender's client (ConnectCloseBenchmark); otherwise the C client. */
    public boolean tcplabClient(Contender contender) {
        return contender == Contender.TCPLAB && side != Side.SERVER;
    }

    /** Whether tcplab's own server serves this contender; otherwise the C server. */
    public boolean tcplabServer(Contender contender) {
        return contender == Contender.TCPLAB || side == Side.CLIENT;
    }

    /** The share of C's rate tcplab must reach: 0.99 for the client with a FIN close (the port allocator is the limit there), 0.97 otherwise. */
    public double target() {
        return side == Side.CLIENT && closeMode == CloseMode.CLIENT_FIN ? 0.99 : 0.97;
    }

    /** For file names: {@code client-rst-t1}. */
    public String id() {
        return side.word + "-" + closeWord() + "-t" + threads;
    }

    /** For tables and charts: {@code client, RST, 1 thread}. */
    public String label() {
        return side.word + ", " + closeWord().toUpperCase(Locale.ROOT) + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    private String closeWord() {
        return closeMode == CloseMode.CLIENT_RST ? "rst" : "fin";
    }
}
