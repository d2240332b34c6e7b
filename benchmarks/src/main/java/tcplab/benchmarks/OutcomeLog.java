package tcplab.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The raw per-iteration outcome counts {@link Outcomes} appends for the lab (one CSV row per thread and iteration). */
public final class OutcomeLog {
    /** The file to append to; set by the lab for every benchmark it runs. */
    public static final String ENV = "TCPLAB_OUTCOMES";
    public static final String COLUMNS = "fork_pid,thread,mode,phase,iteration,ok,addrNotAvailable,refused,timedOut,reset,other,cpu_ns";

    private OutcomeLog() {
    }

    static synchronized void append(String row) throws IOException {
        String file = System.getenv(ENV);
        if (file == null || file.isEmpty()) {
            return;
        }
        Path path = Path.of(file);
        boolean fresh = !Files.exists(path) || Files.size(path) == 0;
        Files.writeString(path, (fresh ? COLUMNS + "\n" : "") + row + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
