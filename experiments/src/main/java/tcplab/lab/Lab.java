package tcplab.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tcplab.kernel.Sysctl;
import tcplab.profile.Profile;
import tcplab.profile.ProfileEntry;

/**
 * Two fresh hosts, client and server, joined by a veth pair, each with loopback up and the profile
 * applied and read back. A fresh namespace starts with an empty TIME_WAIT table and the kernel's
 * default sysctls, so nothing a previous configuration did can bend this one's numbers.
 *
 * <pre>
 *   client host                               server host
 *   lo 127.0.0.1                              lo 127.0.0.1
 *   tcplab-c 198.18.0.1/24  ◄── veth ──►      tcplab-s 198.18.0.2/24
 * </pre>
 *
 * The addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarking; it is
 * never routed, and here it exists only inside the lab's namespaces.
 */
public final class Lab implements AutoCloseable {
    public static final String CLIENT_ADDRESS = "198.18.0.1";
    public static final String SERVER_ADDRESS = "198.18.0.2";
    public static final int PREFIX_LENGTH = 24;
    static final String CLIENT_DEVICE = "tcplab-c";
    static final String SERVER_DEVICE = "tcplab-s";

    private final LabHost client;
    private final LabHost server;
    private final String profileName;
    private final List<ProfileEntry> entries;

    private Lab(LabHost client, LabHost server, String profileName, List<ProfileEntry> entries) {
        this.client = client;
        this.server = server;
        this.profileName = profileName;
        this.entries = entries;
    }

    public static Lab create(Profile profile) throws LabException {
        return create(profile, Map.of());
    }

    /**
     * Fresh hosts with the profile applied, then {@code overrides} (sysctls a plan sets on top of the
     * profile: each replaces the profile's value for the same key, or comes after the profile's keys).
     */
    public static Lab create(Profile profile, Map<String, String> overrides) throws LabException {
        List<ProfileEntry> entries = new ArrayList<>();
        for (ProfileEntry e : profile.entries()) {
            String override = overrides.get(e.key().name());
            entries.add(override == null ? e : new ProfileEntry(e.line(), e.key(), Sysctl.normalize(override)));
        }
        overrides.forEach((k, v) -> {
            if (entries.stream().noneMatch(e -> e.key().name().equals(k))) {
                entries.add(new ProfileEntry(0, Sysctl.of(k), Sysctl.normalize(v)));
            }
        });
        LabHost client = null;
        LabHost server = null;
        try {
            client = LabHost.start("client");
            server = LabHost.start("server");
            // created straight into the two namespaces: the veth never exists where tcplab was started
            Processes.run(List.of("ip", "link", "add", CLIENT_DEVICE, "netns", Long.toString(client.pid()),
                    "type", "veth", "peer", "name", SERVER_DEVICE, "netns", Long.toString(server.pid())), null, Duration.ofSeconds(10));
            client.configureInterfaces(CLIENT_DEVICE, CLIENT_ADDRESS + "/" + PREFIX_LENGTH);
            server.configureInterfaces(SERVER_DEVICE, SERVER_ADDRESS + "/" + PREFIX_LENGTH);
            Lab lab = new Lab(client, server, profile.name(), List.copyOf(entries));
            for (LabHost host : lab.hosts()) {
                host.applySysctls(lab.entries);
                lab.verify(host);
            }
            return lab;
        } catch (LabException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    /**
     * Host mode: this machine as both client and server, for the loopback path. The profile was
     * applied by the run, which restores it; here it is only checked.
     */
    public static Lab here(Profile profile) throws LabException {
        LabHost host = LabHost.here();
        Lab lab = new Lab(host, host, profile.name(), List.copyOf(profile.entries()));
        lab.verify(host);
        return lab;
    }

    /**
     * A two-machine run: this machine as the client (host mode: the run applied the profile and
     * restores it) and another machine as the server, whose settings its own session applied. The
     * same two machines serve every configuration; nothing here is fresh, so the run says so.
     */
    public static Lab remote(Profile profile, LabHost server) throws LabException {
        if (!server.isRemote()) {
            throw new IllegalArgumentException("not another machine: " + server.name());
        }
        Lab lab = new Lab(LabHost.here(), server, profile.name(), List.copyOf(profile.entries()));
        for (LabHost host : lab.hosts()) {
            lab.verify(host);
        }
        return lab;
    }

    /** Whether the server is another machine (a two-machine run). */
    public boolean isTwoMachines() {
        return server.isRemote();
    }

    /** The address the client reaches the server host at over the path between them. */
    public String serverAddress() {
        return server.isRemote() ? server.address() : SERVER_ADDRESS;
    }

    public LabHost client() {
        return client;
    }

    public LabHost server() {
        return server;
    }

    public List<LabHost> hosts() {
        return client == server ? List.of(client) : List.of(client, server);
    }

    /** The keys applied and the {@link Sysctl#RELEVANT} ones, as this host's kernel has them now. */
    public Map<String, String> readBack(LabHost host) throws LabException {
        Set<Sysctl> keys = new LinkedHashSet<>();
        entries.forEach(e -> keys.add(e.key()));
        Sysctl.RELEVANT.forEach(k -> keys.add(Sysctl.of(k)));
        return host.readSysctls(keys);
    }

    private void verify(LabHost host) throws LabException {
        List<String> wrong = new ArrayList<>();
        Map<String, String> now = host.readSysctls(entries.stream().map(ProfileEntry::key).toList());
        for (ProfileEntry entry : entries) {
            String value = now.get(entry.key().name());
            if (value == null || !Sysctl.sameValue(value, entry.value())) {
                wrong.add(entry.key().name() + " is '" + value + "', not '" + entry.value() + "'");
            }
        }
        if (!wrong.isEmpty()) {
            throw new LabException("the " + host.name() + " host did not keep the profile: " + String.join("; ", wrong),
                    "run `make check-profile PROFILE=" + profileName + "`");
        }
    }

    /**
     * Takes both ends of the veth pair down, or brings them up. While they are down nothing crosses
     * between the hosts; a segment sent meanwhile waits in TCP's retransmission queue.
     */
    public void setLink(boolean up) throws LabException {
        refuseOnTwoMachines("take the link down");
        client.exec("ip", "link", "set", CLIENT_DEVICE, up ? "up" : "down");
        server.exec("ip", "link", "set", SERVER_DEVICE, up ? "up" : "down");
    }

    /**
     * Takes the server's end of the veth pair down (or up): the server host vanishes from the network
     * while the client's end stays configured, as when a peer's machine or cable dies.
     */
    public void setServerLink(boolean up) throws LabException {
        refuseOnTwoMachines("take the server's link down");
        server.exec("ip", "link", "set", SERVER_DEVICE, up ? "up" : "down");
    }

    /** The veth pair is the lab's own; on two real machines its devices do not exist, and their links are not tcplab's to cut. */
    private void refuseOnTwoMachines(String what) {
        if (isTwoMachines()) {
            throw new IllegalStateException("refusing to " + what + " between two real machines");
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
