package tcplab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Faults made with nf_tables inside one lab host: packets silently dropped, and counted. The rules
 * live in the host's own network namespace (nf_tables is per namespace), so this machine's
 * firewall is never touched, and they vanish with the namespace.
 */
public final class Firewall {
    static final String TABLE = "tcplab";
    /** What an experiment that drops packets needs: the command and its Debian package. */
    public static final java.util.Map<String, String> NEEDS = java.util.Map.of("nft", "nftables");

    private Firewall() {
    }

    /** Where the traffic is dropped: on its way into the host, or out of it. */
    public enum Hook { INPUT, OUTPUT }

    /**
     * Drops the packets that {@code match} selects (nft syntax, e.g. {@code tcp dport 7000 tcp flags syn}),
     * counting them; an empty match drops every packet on the host's veth device.
     */
    public static void drop(LabHost host, Hook hook, String match) throws LabException {
        if (match.isBlank() && host.isRemote()) {
            throw new IllegalStateException("refusing to drop every packet on another machine: its ssh link would go too");
        }
        String chain = hook.name().toLowerCase(Locale.ROOT);
        String selector = match.isBlank()
                ? (hook == Hook.INPUT ? "iifname" : "oifname") + " { \"" + Lab.CLIENT_DEVICE + "\", \"" + Lab.SERVER_DEVICE + "\" }"
                : match;
        if (host.isRemote()) {
            // a real machine's other traffic is not the experiment's: only the client's packets are dropped
            String peer = host.peerAddress();
            String family = peer.contains(":") ? "ip6" : "ip";
            selector = family + (hook == Hook.INPUT ? " saddr " : " daddr ") + peer + " " + selector;
        }
        // one nft script, applied atomically: the table, the chain, the rule
        String script = "add table inet " + TABLE + "\n"
                + "add chain inet " + TABLE + " " + chain + " { type filter hook " + chain + " priority 0; policy accept; }\n"
                + "add rule inet " + TABLE + " " + chain + " " + selector + " counter drop\n";
        nft(host, List.of("-f", "-"), script);
    }

    /** Removes every rule tcplab made in the host: traffic flows again. */
    public static void clear(LabHost host) throws LabException {
        nft(host, List.of("delete", "table", "inet", TABLE), null);
    }

    /**
     * Removes tcplab's table if it is there: on another machine, where it would outlive the
     * configuration (a lab host's vanishes with its namespace).
     */
    public static void clearIfPresent(LabHost host) throws LabException {
        Processes.run(host.command(List.of("sh", "-c", "command -v nft >/dev/null || exit 0; nft list table inet " + TABLE
                + " >/dev/null 2>&1 || exit 0; nft delete table inet " + TABLE)), null, LabHost.SHORT);
    }

    /** Packets the host's drop rules have dropped so far. */
    public static long dropped(LabHost host) throws LabException {
        String json = nft(host, List.of("-j", "list", "table", "inet", TABLE), null);
        try {
            long total = 0;
            for (JsonNode item : new ObjectMapper().readTree(json).path("nftables")) {
                for (JsonNode expr : item.path("rule").path("expr")) {
                    total += expr.path("counter").path("packets").asLong(0);
                }
            }
            return total;
        } catch (IOException e) {
            throw new LabException("nft printed what tcplab cannot read: " + e.getMessage(), null, e);
        }
    }

    private static String nft(LabHost host, List<String> args, String stdin) throws LabException {
        Path nft = host.isRemote() ? Path.of("nft") : LabLauncher.findOnPath("nft"); // another machine: its own, on its PATH
        if (nft == null) {
            throw new LabException("`nft` is not installed; the timeout experiments drop packets with it",
                    "apt-get install nftables (or run `make prereqs` as root)");
        }
        List<String> command = new ArrayList<>(List.of(nft.toString()));
        command.addAll(args);
        return Processes.run(host.command(command), stdin, LabHost.SHORT);
    }
}
