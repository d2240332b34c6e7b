package tcplab.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's TCP bookkeeping for one network namespace, read from {@code /proc/PID/net}: the
 * MIB counters of netstat and snmp (TcpExt.TW, TcpExt.ListenOverflows, Tcp.ActiveOpens, ...), the
 * socket summary of sockstat ({@code sockstat.TCP.tw}) and the number of sockets in each TCP
 * state ({@code state.TIME_WAIT}). Any process's {@code /proc/PID/net} shows that process's
 * namespace, so the lab reads a host's numbers without entering it.
 */
public final class KernelCounters {
    private KernelCounters() {
    }

    /** TIME_WAIT sockets of a namespace right now, as sockstat counts them. */
    public static long timeWait(Path procNet) throws IOException {
        return parseSockstat(Files.readAllLines(procNet.resolve("sockstat"))).getOrDefault("sockstat.TCP.tw", 0L);
    }

    /** The MIB counters alone (TcpExt.*, Tcp.*, ...): cheap enough to sample often. */
    public static Map<String, Long> mib(Path procNet) throws IOException {
        Map<String, Long> all = new LinkedHashMap<>();
        all.putAll(parseMib(Files.readAllLines(procNet.resolve("netstat"))));
        all.putAll(parseMib(Files.readAllLines(procNet.resolve("snmp"))));
        return all;
    }

    /** All numbers for the namespace of the process whose {@code /proc/PID/net} this is. */
    public static Map<String, Long> read(Path procNet) throws IOException {
        Map<String, Long> all = mib(procNet);
        all.putAll(parseSockstat(Files.readAllLines(procNet.resolve("sockstat"))));
        Map<String, Long> states = new TreeMap<>();
        for (String state : TcpSockets.STATES.values()) {
            states.put("state." + state, 0L);
        }
        for (TcpSockets.Socket socket : TcpSockets.read(procNet)) {
            states.merge("state." + socket.state(), 1L, Long::sum);
        }
        all.putAll(states);
        return all;
    }

    /**
     * netstat and snmp print pairs of lines: {@code TcpExt: Name1 Name2 ...} then
     * {@code TcpExt: 1 2 ...}. Each value becomes {@code TcpExt.Name1}.
     */
    static Map<String, Long> parseMib(List<String> lines) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] numbers = lines.get(i + 1).trim().split("\\s+");
            if (names.length != numbers.length || !names[0].equals(numbers[0]) || !names[0].endsWith(":")) {
                throw new IllegalArgumentException("unexpected counter lines: '" + lines.get(i) + "' / '" + lines.get(i + 1) + "'");
            }
            String group = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                values.put(group + "." + names[k], Long.parseLong(numbers[k]));
            }
        }
        return values;
    }

    /** {@code TCP: inuse 3 orphan 0 tw 12 alloc 5 mem 1} becomes {@code sockstat.TCP.tw = 12}, ... */
    public static Map<String, Long> parseSockstat(List<String> lines) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 3 || !fields[0].endsWith(":")) {
                continue;
            }
            String group = fields[0].substring(0, fields[0].length() - 1);
            for (int k = 1; k + 1 < fields.length; k += 2) {
                values.put("sockstat." + group + "." + fields[k], Long.parseLong(fields[k + 1]));
            }
        }
        return values;
    }
}
