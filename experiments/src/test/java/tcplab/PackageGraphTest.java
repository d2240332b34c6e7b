package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;

/**
 * The architecture as docs/layout.md draws it, read from the sources: dependencies point down the
 * layers and never up, and each experiment keeps to its own package.
 */
class PackageGraphTest {
    /** Lowest first: a package may refer to those before it. */
    private static final List<String> LAYERS = List.of("kernel", "socket", "server", "profile", "lab", "results", "host", "chart",
            "experiment", "plan", "run", "nativecompare", "remote", "guest", "report", "cli");
    /** The one edge against the layers that docs/layout.md owns up to. */
    private static final String KNOWN_EXCEPTION = "lab -> host";
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\btcplab\\.([a-z]+)((?:\\.[a-z]+)*)\\.[A-Z]");

    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES.resolve("tcplab"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.put(SOURCES.relativize(f), code(Files.readString(f)));
            }
        }
        return sources;
    }

    /**
     * The source without its comments and string literals: a Javadoc link or a class named in a
     * string (the main class a child JVM starts) is not a dependency the compiler sees.
     */
    static String code(String source) {
        return NOT_CODE.matcher(source).replaceAll("\"\"");
    }

    /** Text blocks, strings, char literals and comments, in one pass: a "raw/*.csv" string opens no comment. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "(?s)\"\"\".*?\"\"\"|\"(?:[^\"\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\n]|\\\\.)'|//[^\n]*|/\\*.*?\\*/");

    private static String packageOf(Path source) {
        return source.getParent().toString().replace('/', '.');
    }

    @Test
    void dependenciesPointDownTheLayers() throws IOException {
        TreeSet<String> upward = new TreeSet<>();
        for (Map.Entry<Path, String> e : sources().entrySet()) {
            String from = packageOf(e.getKey()).split("\\.")[1];
            assertTrue(LAYERS.contains(from), "tcplab." + from + " is in no layer of docs/layout.md");
            Matcher m = REFERENCE.matcher(e.getValue().replaceAll("(?m)^package .*$", ""));
            while (m.find()) {
                String to = m.group(1);
                if (LAYERS.contains(to) && LAYERS.indexOf(to) > LAYERS.indexOf(from) && !(from + " -> " + to).equals(KNOWN_EXCEPTION)) {
                    upward.add(from + " -> " + to + " (" + e.getKey() + ")");
                }
            }
        }
        assertEquals(new TreeSet<>(), upward, "references up the layers " + LAYERS);
    }

    @Test
    void eachExperimentHasAPackageOfItsOwnAndReachesIntoNoOther() throws IOException {
        Map<String, String> packages = new TreeMap<>();
        for (Experiment e : ExperimentCatalog.all()) {
            String pkg = e.getClass().getPackageName();
            assertEquals(4, pkg.split("\\.").length, e.name() + " lives in tcplab.experiment.FAMILY.NAME, not " + pkg);
            assertEquals(null, packages.put(pkg, e.name()), e.name() + " shares " + pkg);
        }
        List<String> crossings = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources().entrySet()) {
            String from = packageOf(e.getKey());
            Matcher m = REFERENCE.matcher(e.getValue());
            while (m.find()) {
                String to = "tcplab." + m.group(1) + m.group(2);
                if (packages.containsKey(to) && !to.equals(from) && from.startsWith("tcplab.experiment.")) {
                    crossings.add(from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), crossings, "an experiment's package refers to another's; what they share belongs in the family package");
    }

    @Test
    void onlyCodeCountsAsAReference() {
        String code = code("String glob = \"raw/*.csv\"; tcplab.report.Findings f; // tcplab.cli.Main\n/** {@link tcplab.host.HostMode} */"
                + " char q = '\"'; String m = \"tcplab.cli.Main\";");
        assertTrue(code.contains("tcplab.report.Findings"), "a string with /* opens no comment: " + code);
        assertTrue(!code.contains("tcplab.cli") && !code.contains("tcplab.host"), "comments, Javadoc and strings are not code: " + code);
    }
}
