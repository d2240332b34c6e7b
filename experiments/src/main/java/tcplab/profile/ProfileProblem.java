package tcplab.profile;

/**
 * One thing wrong with a profile, printed as one line that names the file, the line, the key, the
 * problem and the fix: {@code sysctl-profiles/x.conf:7: net.ipv4.tcp_tw_reuze: unknown key (fix: ...)}.
 */
public record ProfileProblem(String file, int line, String key, String problem, String fix) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (key != null && !key.isEmpty()) {
            s.append(key).append(": ");
        }
        s.append(problem);
        if (fix != null && !fix.isEmpty()) {
            s.append(" (fix: ").append(fix).append(')');
        }
        return s.toString();
    }
}
