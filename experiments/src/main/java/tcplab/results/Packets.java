package tcplab.results;

import io.pkts.Pcap;
import io.pkts.packet.IPPacket;
import io.pkts.packet.TCPPacket;
import io.pkts.protocol.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The TCP segments of one connection, read back from a capture the lab took ({@code raw/ID.NAME.pcap},
 * classic pcap) with pkts, a pure-Java pcap reader: no libpcap, no parsing of tcpdump's text.
 * Sequence and acknowledgement numbers are relative to each side's first sequence number, as
 * tcpdump and Wireshark show them, so a SYN is seq 0 and the first byte after it seq 1.
 */
public final class Packets {
    private Packets() {
    }

    public enum Flag { SYN, FIN, RST, PSH, ACK }

    /**
     * One segment: seconds since the capture's first segment of this connection, its direction,
     * its flags, relative seq and ack (ack -1 without the ACK flag; {@link #FOREIGN} outside this
     * connection's sequence space) and its payload length in bytes.
     */
    public record Packet(double seconds, boolean fromClient, Set<Flag> flags, long seq, long ack, int length) {
        /** SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST, RST-ACK: the flags a ladder writes on the arrow. */
        public String flagsText() {
            List<String> names = new ArrayList<>();
            for (Flag f : flags) {
                if (f != Flag.ACK) {
                    names.add(f.name());
                }
            }
            if (flags.contains(Flag.ACK)) {
                names.add("ACK");
            }
            return names.isEmpty() ? "none" : String.join("-", names);
        }

        /** What an arrow says: flags, seq (a range when it carries bytes), ack, length. */
        public String label() {
            StringBuilder s = new StringBuilder(flagsText());
            if (seq == FOREIGN || ack == FOREIGN) {
                return s.append(" (another connection's ").append(seq == FOREIGN && ack == FOREIGN ? "seq, ack" : seq == FOREIGN ? "seq" : "ack")
                        .append(")").append(length > 0 ? " (" + length + " B)" : "").toString();
            }
            s.append(" seq ").append(seq);
            if (length > 0) {
                s.append(':').append(seq + length);
            }
            if (ack >= 0) {
                s.append(" ack ").append(ack);
            }
            if (length > 0) {
                s.append(" (").append(length).append(" B)");
            }
            return s.toString();
        }
    }

    /**
     * One connection as captured: the client's and server's address:port, its segments, and when the
     * first was captured (µs since the epoch: the clock the lab's other raw files use); or, when there
     * is nothing to draw, {@link #problem} says why ("no capture: …").
     */
    public record Connection(String client, String server, List<Packet> packets, long startMicros, String problem, boolean taken) {
        public Connection(String client, String server, List<Packet> packets, long startMicros, String problem) {
            this(client, server, packets, startMicros, problem, true);
        }

        public static Connection missing(String why) {
            return new Connection("", "", List.of(), 0, why);
        }

        /** No capture because the run took none: recorded before tcplab captured packets (neither the pcap nor its log is there). */
        public static Connection notTaken(String why) {
            return new Connection("", "", List.of(), 0, why, false);
        }

        /** Seconds from the first segment to {@code epochMillis}, e.g. when connect() returned. */
        public double secondsTo(long epochMillis) {
            return (epochMillis * 1000 - startMicros) / 1e6;
        }

        public boolean captured() {
            return problem == null;
        }

        /**
         * For a claim's explanation: " Ladder: no capture: why." when a capture was taken and has nothing
         * to draw; "" when it has, or when the run took none (its recording predates the captures).
         */
        public String claimNote() {
            return !taken || captured() && !packets.isEmpty() ? "" : " Ladder: " + (captured() ? "no capture: no segment captured" : problem) + ".";
        }
    }

    /** A raw segment as read, before it is made relative. */
    private record Raw(long micros, String src, int srcPort, String dst, int dstPort, Set<Flag> flags, long seq, long ack, int length) {
    }

    /**
     * The segments to or from {@code serverPort} of the first connection in the capture that uses it
     * (its client port is the first seen, up to a new SYN from that port: a later connection); a missing, empty or unreadable file gives a connection
     * whose {@link Connection#problem} says so.
     */
    public static Connection read(Path pcap, int serverPort) {
        if (!Files.isRegularFile(pcap)) {
            String why = whyMissing(pcap);
            return Files.isRegularFile(log(pcap)) ? Connection.missing(why) : Connection.notTaken(why);
        }
        List<Raw> all = new ArrayList<>();
        try {
            if (Files.size(pcap) == 0) {
                return Connection.missing("no capture: " + pcap.getFileName() + " is empty");
            }
            Pcap in = Pcap.openStream(pcap.toFile());
            try {
                in.loop(p -> {
                    if (p.hasProtocol(Protocol.TCP)) {
                        TCPPacket tcp = (TCPPacket) p.getPacket(Protocol.TCP);
                        IPPacket ip = tcp.getParentPacket();
                        EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
                        if (tcp.isSYN()) {
                            flags.add(Flag.SYN);
                        }
                        if (tcp.isFIN()) {
                            flags.add(Flag.FIN);
                        }
                        if (tcp.isRST()) {
                            flags.add(Flag.RST);
                        }
                        if (tcp.isPSH()) {
                            flags.add(Flag.PSH);
                        }
                        if (tcp.isACK()) {
                            flags.add(Flag.ACK);
                        }
                        // from the IP header: the capture keeps only the first bytes of each payload
                        int length = ip.getTotalIPLength() - ip.getHeaderLength() - tcp.getHeaderLength();
                        all.add(new Raw(p.getArrivalTime(), ip.getSourceIP(), tcp.getSourcePort(), ip.getDestinationIP(), tcp.getDestinationPort(),
                                flags, tcp.getSequenceNumber(), tcp.getAcknowledgementNumber(), Math.max(0, length)));
                    }
                    return true;
                });
            } finally {
                in.close();
            }
        } catch (IOException | RuntimeException e) {
            // a capture cut short by a kill ends mid-record: what was read before stays usable
            if (all.isEmpty()) {
                return Connection.missing("no capture: " + pcap.getFileName() + " cannot be read (" + e.getMessage() + ")");
            }
        }
        Raw first = all.stream().filter(r -> r.dstPort == serverPort || r.srcPort == serverPort).findFirst().orElse(null);
        if (first == null) {
            return Connection.missing("no capture: " + pcap.getFileName() + " holds no segment of port " + serverPort);
        }
        boolean firstFromClient = first.dstPort == serverPort;
        String client = firstFromClient ? first.src + ":" + first.srcPort : first.dst + ":" + first.dstPort;
        String server = firstFromClient ? first.dst + ":" + first.dstPort : first.src + ":" + first.srcPort;
        List<Raw> mine = new ArrayList<>();
        for (Raw r : all) {
            boolean fromClient = (r.src + ":" + r.srcPort).equals(client) && (r.dst + ":" + r.dstPort).equals(server);
            if (!fromClient && !((r.src + ":" + r.srcPort).equals(server) && (r.dst + ":" + r.dstPort).equals(client))) {
                continue;
            }
            // a new SYN (another sequence number) from the same port is the next connection, not this one
            if (fromClient && !mine.isEmpty() && r.flags.equals(EnumSet.of(Flag.SYN)) && !(mine.get(0).flags.contains(Flag.SYN) && mine.get(0).seq == r.seq)) {
                break;
            }
            mine.add(r);
        }
        Long clientBase = base(mine, true, client);
        Long serverBase = base(mine, false, client);
        List<Packet> packets = new ArrayList<>();
        for (Raw r : mine) {
            boolean fromClient = (r.src + ":" + r.srcPort).equals(client);
            if (r.flags.contains(Flag.SYN)) { // a SYN starts its side's sequence space (again, after a reset)
                if (fromClient) {
                    clientBase = r.seq;
                } else {
                    serverBase = r.seq;
                }
            }
            long own = fromClient ? clientBase : serverBase;
            Long other = fromClient ? serverBase : clientBase;
            long ack = r.flags.contains(Flag.ACK) && other != null ? relative(r.ack, other) : -1;
            packets.add(new Packet((r.micros - first.micros) / 1e6, fromClient, r.flags, relative(r.seq, own), ack, r.length));
        }
        return new Connection(client, server, List.copyOf(packets), first.micros, null);
    }

    /** tcpdump's log beside a capture: raw/ID.NAME.tcpdump.log, written whenever the run tried to capture. */
    private static Path log(Path pcap) {
        return pcap.resolveSibling(pcap.getFileName().toString().replaceAll("\\.pcap$", ".tcpdump.log"));
    }

    /** What the capture's log says (a capture that could not start leaves its reason there), or that the file is missing. */
    private static String whyMissing(Path pcap) {
        Path log = log(pcap);
        try {
            if (Files.isRegularFile(log)) {
                String reason = Files.readAllLines(log).stream().filter(l -> l.startsWith("no capture: ")).findFirst().orElse(null);
                if (reason != null) {
                    return reason;
                }
            }
        } catch (IOException ignored) {
            // say only that it is missing
        }
        return "no capture: " + pcap.getFileName() + " is missing";
    }

    /**
     * One side's first sequence number: its first SYN's, else its first segment's seq, else what the
     * other side first acknowledged.
     */
    private static Long base(List<Raw> packets, boolean clientSide, String client) {
        for (Raw r : packets) {
            if ((r.src + ":" + r.srcPort).equals(client) == clientSide && r.flags.contains(Flag.SYN)) {
                return r.seq;
            }
        }
        for (Raw r : packets) {
            if ((r.src + ":" + r.srcPort).equals(client) == clientSide) {
                return r.seq;
            }
        }
        for (Raw r : packets) {
            if ((r.src + ":" + r.srcPort).equals(client) != clientSide && r.flags.contains(Flag.ACK)) {
                return r.ack;
            }
        }
        return null;
    }

    /** A number relative to its base; {@link #FOREIGN} when it lies before it or 2^31 past it: another connection's numbers. */
    private static long relative(long value, long base) {
        long r = (value - base) & 0xFFFFFFFFL; // sequence space wraps at 2^32
        return r >= 1L << 31 ? FOREIGN : r;
    }

    /** A seq or ack outside this connection's sequence space, e.g. a challenge ACK's, which carries the old connection's numbers. */
    public static final long FOREIGN = -2;

    /** "0.058 ms", "1.003 s": a time since the first segment, to the microsecond the capture has. */
    public static String time(double seconds) {
        return seconds < 1 ? String.format(Locale.ROOT, "%.3f ms", seconds * 1e3) : String.format(Locale.ROOT, "%.3f s", seconds);
    }
}
