package tcplab.lab;

/** Which way the client reaches the server; the kernel treats the two differently (tcp_tw_reuse=2). */
public enum NetworkPath {
    /** Server in the server host, reached over the veth pair: a real (if virtual) link. */
    VETH,
    /** Server in the client host itself, reached over 127.0.0.1. */
    LOOPBACK;

    public LabHost serverHost(Lab lab) {
        return this == VETH ? lab.server() : lab.client();
    }

    public String serverAddress(Lab lab) {
        return this == VETH ? lab.serverAddress() : "127.0.0.1";
    }

    /** The path a plan names: {@code veth} or {@code loopback}. */
    public static NetworkPath of(String label) {
        for (NetworkPath p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown path '" + label + "'");
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
