package tcplab.socket;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

/** Where the benchmark connects: an explicit host:port, or the lab's own server. */
public final class Target {
    /** Set by the lab for every process it starts in the client host. */
    public static final String LAB_TARGET_ENV = "TCPLAB_TARGET";

    private Target() {
    }

    /**
     * Resolves the benchmark's {@code target} parameter. Empty means the lab's server, which the lab
     * announces in {@value #LAB_TARGET_ENV}.
     */
    public static InetSocketAddress resolve(String target) {
        String spec = target == null ? "" : target.trim();
        if (spec.isEmpty()) {
            spec = System.getenv(LAB_TARGET_ENV) == null ? "" : System.getenv(LAB_TARGET_ENV).trim();
            if (spec.isEmpty()) {
                throw new IllegalArgumentException("no target: run through `make run-profile` (the lab starts a server)"
                        + " or pass -p target=HOST:PORT pointing at a tcplab server (`java -jar tcplab.jar serve`)");
            }
        }
        return parse(spec);
    }

    /** Parses HOST:PORT or [IPV6]:PORT with a one-line error that says what is wrong. */
    public static InetSocketAddress parse(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("target '" + spec + "' is not HOST:PORT (example: 198.18.0.2:7000)");
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target '" + spec + "': port is not a number (example: 198.18.0.2:7000)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("target '" + spec + "': port " + port + " is out of range 1-65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("target '" + spec + "': cannot resolve host '" + host + "'");
        }
        return address;
    }

    /** AF_INET for IPv4 targets: Java's default dual-stack IPv6 socket costs extra system calls. */
    public static ProtocolFamily familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }
}
