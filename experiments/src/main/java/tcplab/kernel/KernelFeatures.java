package tcplab.kernel;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sysctls that some kernels have and others lack, where the lack changes a claim's model. The
 * models read what the running kernel has (its read-back sysctls), never a fixed kernel: a key that
 * is absent means the older behaviour below. A plan may sweep these keys on any kernel; on one
 * without them the configurations that set them are skipped with {@link #skipReason}.
 */
public final class KernelFeatures {
    /**
     * @param sysctl the key
     * @param withoutIt what the kernel does when it lacks the key
     * @param source where that comes from
     * @param claims the claims whose models depend on it
     * @param sameAs the value that behaves as a kernel without the key does (null: none does), so two kernels whose
     *               only difference is this key at that value predict the same
     */
    public record Feature(String sysctl, String withoutIt, String source, Set<String> claims, String sameAs) {
    }

    public static final List<Feature> FEATURES = List.of(
            new Feature("net.ipv4.tcp_syn_linear_timeouts",
                    "SYN timeouts double from the first (1, 2, 4, … s), as with tcp_syn_linear_timeouts = 0; with it (default 4) the first"
                            + " 4 retransmissions keep 1 s, so more SYNs go out, and connect() gives up at the first timeout at or past"
                            + " 2^(tcp_syn_retries + 1) - 1 s: 3 retries give up after 15 s without it and 19 s with it, 6 after 127 s and"
                            + " 131 s, 2 after 7 s either way",
                    "commit ccce324dabfe \"tcp: make the first N SYN RTO backoffs linear\" (Linux 6.5); ip-sysctl.rst", Set.of("C10"), "0"),
            new Feature("net.ipv4.tcp_tw_reuse_delay",
                    "connect() may reuse a TIME_WAIT port once the old connection's last timestamp is from an earlier second"
                            + " (tcp_twsk_unique: time_after32(ktime_get_seconds(), tw_ts_recent_stamp)), so after 0 to 1 s rather than"
                            + " after a set number of ms",
                    "net/ipv4/tcp_ipv4.c tcp_twsk_unique; ip-sysctl.rst, tcp_tw_reuse_delay", Set.of("C3", "C4"), null),
            new Feature("net.ipv4.tcp_rto_max_ms",
                    "the retransmission timeout is capped at TCP_RTO_MAX, 120 s, compiled in",
                    "include/net/tcp.h TCP_RTO_MAX; ip-sysctl.rst, tcp_rto_max_ms", Set.of("C10", "C12"), "120000"),
            new Feature("net.ipv4.tcp_rto_min_us",
                    "the retransmission timeout's floor is TCP_RTO_MIN, 200 ms, compiled in (or a route's rto_min)",
                    "include/net/tcp.h TCP_RTO_MIN; ip-sysctl.rst, tcp_rto_min_us", Set.of("C12"), "200000"));

    private KernelFeatures() {
    }

    /** The running kernel's release (uname -r). */
    public static String release() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (java.io.IOException e) {
            return "unknown release";
        }
    }

    public static Optional<Feature> of(String sysctl) {
        return FEATURES.stream().filter(f -> f.sysctl().equals(sysctl)).findFirst();
    }

    /** Why a configuration that sets {@code sysctl} cannot run on this kernel, or null if it can (or tcplab does not know the key). */
    public static String skipReason(String sysctl, boolean exists, String release) {
        if (exists) {
            return null;
        }
        return of(sysctl).map(f -> "this kernel (" + release + ") has no " + sysctl + ", which the configuration sets; without it "
                + f.withoutIt() + " (" + f.source() + ")").orElse(null);
    }

    /**
     * The features one of two kernels has and the other lacks (keys read back from each), for the
     * claims given, where the value the one has behaves differently from the lack: 120000 ms of
     * tcp_rto_max_ms is the compiled-in cap a kernel without the key has.
     */
    public static List<Feature> differing(Map<String, String> a, Map<String, String> b, Set<String> claims) {
        return FEATURES.stream().filter(f -> a.containsKey(f.sysctl()) != b.containsKey(f.sysctl()))
                .filter(f -> {
                    String present = (a.containsKey(f.sysctl()) ? a : b).get(f.sysctl()).trim();
                    return f.sameAs() == null || !f.sameAs().equals(present);
                })
                .filter(f -> claims.isEmpty() || f.claims().stream().anyMatch(claims::contains)).toList();
    }

    /** The keys of {@link #FEATURES} a kernel lacks, given its read-back sysctls. */
    public static Set<String> missing(Map<String, String> sysctls) {
        Set<String> out = new TreeSet<>();
        FEATURES.forEach(f -> {
            if (!sysctls.containsKey(f.sysctl())) {
                out.add(f.sysctl());
            }
        });
        return out;
    }
}
