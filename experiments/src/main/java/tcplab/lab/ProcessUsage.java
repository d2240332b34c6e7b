package tcplab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process uses, as /proc shows it to any process of the same pid namespace: open file
 * descriptors, CPU time, resident memory. Read from outside, so it works even when the process
 * itself has no descriptor left to read with.
 */
public record ProcessUsage(long fds, long cpuMillis, long rssKb, long threads) {
    /** USER_HZ: /proc/PID/stat counts CPU time in these ticks on every Linux architecture tcplab runs on. */
    static final long TICKS_PER_SECOND = 100;

    public static ProcessUsage read(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long fds;
        try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
            fds = entries.count();
        }
        String stat = Files.readString(proc.resolve("stat"));
        // the command name may contain spaces; the fields after it are fixed: state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long rss = 0;
        long threads = 0;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D+", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return new ProcessUsage(fds, ticks * 1000 / TICKS_PER_SECOND, rss, threads);
    }
}
