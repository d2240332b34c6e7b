package tcplab.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses sysctl writes anywhere but in a network namespace the lab made. The process that starts
 * the lab records the namespace it runs in (the host's, from tcplab's point of view) in
 * {@value #HOST_NETNS_ENV}; a writer that finds itself in that namespace, or was not started by the
 * lab at all, stops before touching anything.
 */
public final class NetnsGuard {
    public static final String HOST_NETNS_ENV = "TCPLAB_HOST_NETNS";

    private NetnsGuard() {
    }

    /** The caller's network namespace as the kernel names it, e.g. {@code net:[4026531840]}. */
    public static String current() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    /** The namespace of another process. */
    public static String of(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
    }

    public static void requireLabNamespace() throws IOException {
        String host = System.getenv(HOST_NETNS_ENV);
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("refusing to write a sysctl: this process was not started inside a tcplab lab");
        }
        if (host.equals(current())) {
            throw new IllegalStateException("refusing to write a sysctl: this process is in the network namespace tcplab was started in (" + host + ")");
        }
    }
}
