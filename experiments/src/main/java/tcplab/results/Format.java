package tcplab.results;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Numbers and durations as the reports and the progress lines print them. */
public final class Format {
    private Format() {
    }

    /** 3 significant digits with k/M suffixes: 14500 → "14.5k", 0.0123 → "0.0123". */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** A count and its noun, plural unless it is 1: (1, "reset") → "1 reset", (2, "reset") → "2 resets". */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** A latency given in microseconds, in the unit that reads best. */
    public static String micros(double us) {
        if (Double.isNaN(us)) {
            return "n/a";
        }
        if (us >= 1e6) {
            return String.format(Locale.ROOT, "%.3g s", us / 1e6);
        }
        if (us >= 1e3) {
            return String.format(Locale.ROOT, "%.3g ms", us / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g µs", us);
    }

    /** m:ss, or h:mm:ss past an hour. */
    public static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** "28 min 40 s", "1 h 2 min 5 s", "52 s": a wall time no one reads as hours and minutes by mistake. */
    public static String spoken(Duration d) {
        long s = Math.max(0, d.toSeconds());
        String out = (s >= 3600 ? s / 3600 + " h " : "") + (s >= 60 ? s / 60 % 60 + " min " : "") + s % 60 + " s";
        return out;
    }

    /** A path as a user would type it: relative to the working directory when inside it. */
    public static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
