package tcplab.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tcplab.kernel.Sysctl;

/**
 * What the running kernel says about a profile, asked in two places:
 * <ol>
 *   <li>{@link #againstHost} runs where tcplab was started and only reads: does the key exist here,
 *       and is it a {@code net.*} key at all? {@code kernel.*}, {@code vm.*}, {@code fs.*} and the
 *       like are never per network namespace.</li>
 *   <li>{@link #inNamespace} runs inside a fresh network namespace the lab made, and asks the
 *       kernel directly: a host-wide {@code net.*} key is missing there or read-only, and a value the
 *       kernel refuses fails when written there. The namespace is thrown away, so this dry run
 *       applies nothing anyone keeps.</li>
 * </ol>
 */
public final class ProfileChecks {
    /** Keys people still copy from old tuning guides, and what became of them. */
    private static final Map<String, String> REMOVED = Map.of(
            "net.ipv4.tcp_tw_recycle", "removed in Linux 4.12 because it broke clients behind NAT; tcp_tw_reuse is what remains",
            "net.ipv4.tcp_fack", "removed in Linux 4.18 together with FACK loss recovery");

    /** What the kernel accepts, for the keys people get wrong most; the kernel still decides. */
    private static final Map<String, String> ACCEPTED = Map.of(
            "net.ipv4.tcp_tw_reuse", "0 (off), 1 (on) or 2 (loopback only)",
            "net.ipv4.tcp_timestamps", "0, 1 or 2",
            "net.ipv4.tcp_syn_retries", "1 to 127",
            "net.ipv4.ip_local_port_range", "LOW HIGH with LOW <= HIGH and LOW >= net.ipv4.ip_unprivileged_port_start (1024)",
            "net.ipv4.tcp_abort_on_overflow", "0 or 1");

    private ProfileChecks() {
    }

    /** Parses a profile and checks it against the host; what must happen before anything is created. */
    public static Profile parseForHost(Path file) throws ProfileException {
        Profile profile = ProfileParser.parse(file);
        List<ProfileProblem> problems = againstHost(profile);
        if (!problems.isEmpty()) {
            throw new ProfileException(problems);
        }
        return profile;
    }

    /** Read-only checks against the kernel tcplab was started on. */
    public static List<ProfileProblem> againstHost(Profile profile) {
        List<ProfileProblem> problems = new ArrayList<>();
        String shown = profile.file().toString();
        for (ProfileEntry entry : profile.entries()) {
            Sysctl key = entry.key();
            if (!key.exists()) {
                problems.add(new ProfileProblem(shown, entry.line(), key.name(), unknown(key), unknownFix(key)));
            } else if (!key.isNet()) {
                problems.add(new ProfileProblem(shown, entry.line(), key.name(),
                        "host-wide setting: only net.* keys are per network namespace; writing this one from inside a namespace would change the whole machine",
                        "remove it from the profile"));
            }
        }
        return problems;
    }

    /**
     * Checks each key inside the caller's network namespace and writes each value there in file
     * order, reading it back. Must only run in a namespace the lab made and will throw away.
     */
    public static List<ProfileProblem> inNamespace(Profile profile) {
        List<ProfileProblem> problems = new ArrayList<>();
        String shown = profile.file().toString();
        for (ProfileEntry entry : profile.entries()) {
            Sysctl key = entry.key();
            String problem = null;
            String fix = "remove it from the profile";
            try {
                if (!key.isNet()) {
                    problem = "host-wide setting: only net.* keys are per network namespace";
                } else if (!key.exists()) {
                    problem = "host-wide setting: the host has it but a network namespace does not";
                } else if (!key.writableByMode()) {
                    problem = "host-wide setting: read-only inside a network namespace, the kernel keeps one value for the whole machine";
                } else {
                    problem = tryValue(key, entry.value());
                    fix = ACCEPTED.containsKey(key.name()) ? "use " + ACCEPTED.get(key.name()) : "use a value the kernel accepts (see the kernel's ip-sysctl documentation)";
                }
            } catch (IOException e) {
                problem = "cannot inspect it: " + e.getMessage();
            }
            if (problem != null) {
                problems.add(new ProfileProblem(shown, entry.line(), key.name(), problem, fix));
            }
        }
        return problems;
    }

    private static String tryValue(Sysctl key, String value) {
        try {
            key.write(value);
        } catch (IOException e) {
            return "the kernel refuses the value '" + value + "' (" + reason(e) + ")";
        }
        try {
            String stored = key.read();
            if (!Sysctl.sameValue(stored, value)) {
                return "the kernel stored '" + stored + "' instead of '" + value + "'";
            }
        } catch (IOException e) {
            return "cannot read it back: " + reason(e);
        }
        return null;
    }

    private static String reason(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // Java prefixes the file name; the kernel's reason is what follows it
        int at = message.lastIndexOf(": ");
        return at >= 0 && message.startsWith("/") ? message.substring(at + 2) : message;
    }

    private static String unknown(Sysctl key) {
        String removed = REMOVED.get(key.name());
        if (removed != null) {
            return "unknown key: " + removed;
        }
        return "unknown key: this kernel has no such sysctl";
    }

    private static String unknownFix(Sysctl key) {
        String near = nearest(key);
        if (near != null) {
            return "did you mean " + near + "?";
        }
        return "check the spelling against `sysctl -a`";
    }

    /** The closest existing name in the same directory, or among the TCP/IP keys, within a few typos. */
    static String nearest(Sysctl key) {
        Path dir = key.file().getParent();
        String leaf = key.file().getFileName().toString();
        List<Path> candidates = new ArrayList<>();
        for (Path d : List.of(dir, Sysctl.PROC_SYS.resolve("net/ipv4"), Sysctl.PROC_SYS.resolve("net/core"))) {
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(Files::isRegularFile).forEach(candidates::add);
                } catch (IOException | RuntimeException e) {
                    // no suggestion from an unreadable directory
                }
            }
        }
        Path best = null;
        int bestDistance = Math.max(2, leaf.length() / 4) + 1;
        for (Path candidate : candidates) {
            int d = distance(leaf, candidate.getFileName().toString());
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? null : Sysctl.ofPath(best).name();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
