package tcplab.profile;

import java.nio.file.Path;
import java.util.List;

/**
 * A sysctl profile: a sysctl.d file whose header comment says what it is for.
 *
 * @param name    the file name without {@code .conf}; it names the reports folder
 * @param purpose the first line of the header comment, or empty
 * @param text    the file as read, kept so a run records exactly what it applied
 */
public record Profile(Path file, String name, String purpose, List<ProfileEntry> entries, String text) {
}
