package tcplab.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tcplab.testing.Cli;

/** The text of a profile: what parses, and every way a file can be wrong, each named with line and key. */
class ProfileParserTest {
    @TempDir
    Path dir;

    @Test
    void everyShippedProfileParsesHasAPurposeAndOnlyNetKeys() throws Exception {
        List<Path> profiles;
        try (Stream<Path> files = Files.list(Cli.HOME.resolve("sysctl-profiles"))) {
            profiles = files.filter(f -> f.toString().endsWith(".conf")).sorted().toList();
        }
        assertTrue(profiles.size() >= 7, "the seven profiles the README lists: " + profiles);
        for (String name : List.of("baseline", "tw-reuse", "tw-reuse-no-timestamps", "narrow-ports", "wide-ports", "fast-fail", "keepalive-tuned")) {
            assertTrue(Files.exists(Cli.HOME.resolve("sysctl-profiles/" + name + ".conf")), name);
        }
        for (Path file : profiles) {
            Profile profile = ProfileParser.parse(file);
            assertTrue(profile.purpose().length() > 20, file + " needs a header comment saying what it is for");
            assertTrue(!profile.entries().isEmpty(), file.toString());
            assertTrue(profile.entries().stream().allMatch(e -> e.key().isNet()), file + " has a key that is not net.*");
        }
    }

    @Test
    void readsKeysValuesPurposeAndBothKeySyntaxes() throws Exception {
        Path file = Cli.write(dir, "ok.conf", "# What this is for.\n# more\n\n; another comment\n"
                + "net.ipv4.tcp_tw_reuse = 1\nnet/ipv4/ip_local_port_range=\t40000   40999  \r\n");
        Profile p = ProfileParser.parse(file);
        assertEquals("ok", p.name());
        assertEquals("What this is for.", p.purpose());
        assertEquals(2, p.entries().size());
        assertEquals("net.ipv4.tcp_tw_reuse", p.entries().get(0).key().name());
        assertEquals(5, p.entries().get(0).line());
        assertEquals("net.ipv4.ip_local_port_range", p.entries().get(1).key().name());
        assertEquals("40000 40999", p.entries().get(1).value());
    }

    /** One bad line each; the problem must name the line, the key where there is one, and the fix. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no equals sign            | net.ipv4.tcp_tw_reuse 1              | expected `key = value` | write it as",
        "no key                    | = 1                                  | no key            | write `key = value`",
        "no value                  | net.ipv4.tcp_tw_reuse =              | no value          | give a value",
        "ignore-errors prefix      | -net.ipv4.tcp_tw_reuse = 1           | all or nothing    | remove the '-'",
        "glob                      | net.ipv4.conf.*.rp_filter = 1        | globs             | name each key",
        "end-of-line comment       | net.ipv4.tcp_tw_reuse = 1 # reuse    | comment in it     | own",
        "not a sysctl name         | net.ipv4.tcp tw reuse = 1            | not a sysctl name | dotted names",
        "path traversal            | net/../../etc/passwd = 1             | not a sysctl name | dotted names",
    })
    void rejectsABadLine(String what, String line, String problem, String fix) throws Exception {
        Path file = Cli.write(dir, "bad.conf", "# purpose\nnet.ipv4.tcp_timestamps = 1\n" + line + "\n");
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parse(file), what);
        assertEquals(1, e.problems().size(), e.getMessage());
        ProfileProblem p = e.problems().get(0);
        assertEquals(3, p.line(), e.getMessage());
        assertTrue(p.toString().startsWith(file + ":3: "), p.toString());
        assertTrue(p.problem().contains(problem), p.toString());
        assertTrue(p.fix().contains(fix), p.toString());
    }

    @Test
    void duplicatesAreFoundInEitherSyntaxAndAllProblemsAreReportedTogether() throws Exception {
        Path file = Cli.write(dir, "dup.conf", "# purpose\nnet.ipv4.tcp_tw_reuse = 1\nbroken line\nnet/ipv4/tcp_tw_reuse = 2\n");
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parse(file));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals(3, e.problems().get(0).line());
        ProfileProblem dup = e.problems().get(1);
        assertEquals(4, dup.line());
        assertEquals("net.ipv4.tcp_tw_reuse", dup.key());
        assertTrue(dup.problem().contains("first on line 2"), dup.toString());
    }

    @Test
    void rejectsFilesThatAreNotProfiles() throws IOException {
        assertProblem(dir.resolve("missing.conf"), "no such file");
        assertProblem(Files.createDirectories(dir.resolve("adir.conf")), "is a directory");
        assertProblem(Cli.write(dir, "profile.txt", "net.ipv4.tcp_tw_reuse = 1\n"), "ends in .conf");
        assertProblem(Cli.write(dir, "bad name!.conf", "net.ipv4.tcp_tw_reuse = 1\n"), "must be letters");
        Path binary = dir.resolve("binary.conf");
        Files.write(binary, new byte[] {'n', 'e', 't', 0, 1, 2, '\n'});
        assertProblem(binary, "NUL byte");
        Path latin1 = dir.resolve("latin1.conf");
        Files.write(latin1, new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        assertProblem(latin1, "not a UTF-8 text file");
        assertProblem(Cli.write(dir, "huge.conf", "#\n".repeat(200_000)), "a sysctl profile is a few hundred");
        Path longLine = Cli.write(dir, "long.conf", "net.ipv4.tcp_tw_reuse = " + "1".repeat(5000) + "\n");
        assertProblem(longLine, "characters long");
    }

    private static void assertProblem(Path file, String expected) {
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parse(file), file.toString());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("(fix: "), "every problem says how to fix it: " + e.getMessage());
    }
}
