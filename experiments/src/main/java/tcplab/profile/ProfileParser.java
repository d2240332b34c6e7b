package tcplab.profile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tcplab.kernel.Sysctl;

/**
 * Reads a profile in sysctl.d(5) syntax: {@code key = value} lines, {@code #} or {@code ;} comment
 * lines, blank lines. Collects every problem before giving up, so one pass shows them all. This
 * checks the text only; what the kernel accepts is checked by {@link ProfileChecks}.
 */
public final class ProfileParser {
    /** Real profiles are a few hundred bytes; anything this big is the wrong file. */
    static final long MAX_FILE_BYTES = 256 * 1024;
    static final int MAX_LINE_CHARS = 4096;

    private ProfileParser() {
    }

    public static Profile parse(Path file) throws ProfileException {
        String shown = file.toString();
        String fileName = file.getFileName() == null ? shown : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            throw new ProfileException(problem(shown, "is a directory, not a profile", "give a .conf file, e.g. sysctl-profiles/baseline.conf"));
        }
        if (!Files.exists(file)) {
            throw new ProfileException(problem(shown, "no such file", "run `make list` for the profiles, or give the path of a .conf file"));
        }
        if (!fileName.endsWith(".conf")) {
            throw new ProfileException(problem(shown, "a profile is a sysctl.d file and its name ends in .conf", "rename it to NAME.conf"));
        }
        String name = fileName.substring(0, fileName.length() - ".conf".length());
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ProfileException(problem(shown, "profile name '" + name + "' must be letters, digits, '.', '_' or '-' (it names the reports folder)",
                    "rename the file"));
        }
        String text = readText(file, shown);
        return parseText(file, shown, name, text);
    }

    private static String readText(Path file, String shown) throws ProfileException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ProfileException(problem(shown, "file is " + size + " bytes; a sysctl profile is a few hundred",
                        "check that this is the profile you meant"));
            }
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    throw new ProfileException(problem(shown, "not a text file (NUL byte at offset " + i + ")", "give a sysctl.d text file"));
                }
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProfileException(problem(shown, "not a UTF-8 text file", "give a sysctl.d text file"));
        } catch (IOException e) {
            throw new ProfileException(problem(shown, "cannot read: " + e.getMessage(), "check the path and its permissions"));
        }
    }

    static Profile parseText(Path file, String shown, String name, String text) throws ProfileException {
        List<ProfileProblem> problems = new ArrayList<>();
        List<ProfileEntry> entries = new ArrayList<>();
        Map<Sysctl, Integer> seen = new HashMap<>();
        String purpose = "";
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.length() > MAX_LINE_CHARS) {
                problems.add(new ProfileProblem(shown, number, null, "line is " + line.length() + " characters long",
                        "a sysctl line is `key = value`; check that this is a profile"));
                continue;
            }
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("#") || trimmed.startsWith(";")) {
                if (entries.isEmpty() && purpose.isEmpty()) {
                    purpose = trimmed.substring(1).trim();
                }
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq < 0) {
                problems.add(new ProfileProblem(shown, number, null, "malformed line '" + abbreviate(trimmed) + "': expected `key = value`",
                        "write it as `net.ipv4.tcp_tw_reuse = 1`, or comment it out with #"));
                continue;
            }
            String key = trimmed.substring(0, eq).trim();
            String value = trimmed.substring(eq + 1).trim();
            ProfileProblem bad = checkLine(shown, number, key, value);
            if (bad != null) {
                problems.add(bad);
                continue;
            }
            Sysctl sysctl = Sysctl.of(key);
            Integer first = seen.putIfAbsent(sysctl, number);
            if (first != null) {
                problems.add(new ProfileProblem(shown, number, sysctl.name(), "set twice (first on line " + first + ")",
                        "keep one of the two lines"));
                continue;
            }
            entries.add(new ProfileEntry(number, sysctl, Sysctl.normalize(value)));
        }
        if (!problems.isEmpty()) {
            throw new ProfileException(problems);
        }
        return new Profile(file, name, purpose, List.copyOf(entries), text);
    }

    private static ProfileProblem checkLine(String shown, int number, String key, String value) {
        if (key.isEmpty()) {
            return new ProfileProblem(shown, number, null, "no key before '='", "write `key = value`");
        }
        if (key.startsWith("-")) {
            return new ProfileProblem(shown, number, key, "a leading '-' (ignore failures) is not supported: tcplab applies a profile all or nothing",
                    "remove the '-'");
        }
        if (key.contains("*")) {
            return new ProfileProblem(shown, number, key, "globs are not supported", "name each key in full");
        }
        if (!Sysctl.of(key).isWellFormed()) {
            return new ProfileProblem(shown, number, abbreviate(key), "not a sysctl name",
                    "keys are full dotted names such as net.ipv4.tcp_tw_reuse");
        }
        if (value.isEmpty()) {
            return new ProfileProblem(shown, number, key, "no value after '='", "give a value or delete the line");
        }
        if (value.contains("#") || value.contains(";")) {
            return new ProfileProblem(shown, number, key, "value '" + abbreviate(value) + "' has a comment in it; sysctl.d has no end-of-line comments",
                    "put the comment on a line of its own");
        }
        return null;
    }

    private static ProfileProblem problem(String file, String problem, String fix) {
        return new ProfileProblem(file, 0, null, problem, fix);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
