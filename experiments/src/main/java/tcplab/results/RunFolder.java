package tcplab.results;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The files of one run, {@code reports/PROFILE/RUN-ID/}. Raw files are appended to and flushed row
 * by row while the run goes, so a killed run keeps every row it wrote; everything under
 * {@code charts/} and the reports are derived from them and can be redrawn.
 */
public final class RunFolder {
    public static final String METADATA = "metadata.json";
    public static final String CONFIGURATIONS = "configurations.csv";
    public static final String SYSCTLS = "sysctls.csv";
    public static final String COUNTERS = "kernel-counters.csv";
    public static final String RUN_LOG = "run.log";
    public static final String PROFILE_COPY = "profile.conf";
    public static final String PLAN_COPY = "plan.json";
    public static final String RAW = "raw";
    public static final String CLAIMS = "claims.csv";
    /** Temporary files of the programs a run starts; cleared after each configuration. */
    public static final String SCRATCH = ".scratch";

    public static final String[] CONFIGURATION_COLUMNS = {
        "index", "id", "type", "name", "mode", "path", "threads", "repetition", "conditions", "sysctls", "status", "started_utc",
        "seconds", "message", "pace", "beside"
    };
    public static final String[] SYSCTL_COLUMNS = {"configuration", "host", "key", "value"};
    public static final String[] COUNTER_COLUMNS = {"configuration", "host", "counter", "before", "after", "delta"};

    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;

    public RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code reportsRoot/profile/RUN-ID/} with a fresh UTC timestamp id. */
    public static RunFolder create(Path reportsRoot, String profile, Instant now) throws IOException {
        Path dir = newFolder(reportsRoot.resolve(profile), now);
        Files.createDirectories(dir.resolve(RAW));
        return new RunFolder(dir);
    }

    /** Creates {@code parent/ID/} named by a UTC timestamp, never one that exists: nothing earlier is overwritten. */
    public static Path newFolder(Path parent, Instant now) throws IOException {
        Files.createDirectories(parent);
        String id = RUN_ID.format(now);
        Path dir = parent.resolve(id);
        for (int n = 2; Files.exists(dir); n++) {
            dir = parent.resolve(id + "-" + n);
        }
        return Files.createDirectories(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public Path raw(String configurationId, String suffix) {
        return dir.resolve(RAW).resolve(configurationId + suffix);
    }

    /** Points {@code PROFILE/latest} at this run. */
    /** The run's scratch directory, created if needed. */
    public Path scratch() throws IOException {
        return Files.createDirectories(file(SCRATCH));
    }

    /** Deletes the scratch directory and what is in it; a file that cannot go is left, never an error. */
    public void clearScratch() {
        try {
            deleteTree(file(SCRATCH));
        } catch (IOException ignored) {
            // left for the next run's reader to see; harmless
        }
    }

    /** {@code path} itself if it exists, else its nearest ancestor that does (where it would be created); null if none. */
    public static Path nearestExisting(Path path) {
        Path existing = path.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing;
    }

    /** Deletes a folder and everything in it; nothing happens when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    public void markLatest() throws IOException {
        Path link = dir.getParent().resolve("latest");
        Path tmp = dir.getParent().resolve(".latest-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, dir.getFileName());
        Files.move(tmp, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A CSV file in this folder that gets a header when new and is flushed after every row. */
    public CsvLog csv(String name, String... columns) throws IOException {
        return new CsvLog(dir.resolve(name), columns);
    }

    /**
     * The sysctls read back in the first configuration's hosts, host → key → value (every
     * configuration starts from the same profile; sysctls.csv has them all). Empty before any ran.
     */
    public Map<String, Map<String, String>> firstReadBack() throws IOException {
        Map<String, Map<String, String>> hosts = new TreeMap<>();
        Path file = dir.resolve(SYSCTLS);
        if (!Files.isRegularFile(file)) {
            return hosts;
        }
        String first = null;
        for (Map<String, String> r : read(file)) {
            first = first == null ? r.get("configuration") : first;
            if (first.equals(r.get("configuration"))) {
                hosts.computeIfAbsent(r.get("host"), h -> new LinkedHashMap<>()).put(r.get("key"), r.get("value"));
            }
        }
        return hosts;
    }

    /** The rows of a CSV with a header, as column → value; empty when the file does not exist. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                rows.add(r.toMap());
            }
        }
        return rows;
    }

    /** Appends one line to the run log. */
    public synchronized void log(String line) {
        try {
            Files.writeString(dir.resolve(RUN_LOG), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Row-at-a-time CSV output. */
    public static final class CsvLog implements AutoCloseable {
        private final CSVPrinter printer;

        CsvLog(Path file, String... columns) throws IOException {
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            CSVFormat.Builder format = CSVFormat.DEFAULT.builder();
            if (fresh) {
                format.setHeader(columns);
            }
            printer = new CSVPrinter(writer, format.get());
        }

        /** Whole rows only: configurations side by side write to the same files. */
        public synchronized void row(Object... values) throws IOException {
            printer.printRecord(values);
            printer.flush();
        }

        @Override
        public void close() throws IOException {
            printer.close();
        }
    }
}
