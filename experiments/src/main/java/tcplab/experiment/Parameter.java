package tcplab.experiment;

import java.util.List;

/**
 * A parameter an experiment declares: its default, what it means, and what values it takes (a
 * fixed set of choices, or a whole number in a range). Plans are checked against these.
 */
public record Parameter(String name, String defaultValue, String description, List<String> choices, long min, long max) {

    /** One of a fixed set; the first is the default. */
    public static Parameter choice(String name, String description, String... choices) {
        return new Parameter(name, choices[0], description, List.of(choices), 0, 0);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static Parameter integer(String name, long defaultValue, long min, long max, String description) {
        return new Parameter(name, Long.toString(defaultValue), description, List.of(), min, max);
    }

    public boolean isChoice() {
        return !choices.isEmpty();
    }

    /** What is wrong with {@code value}, or null when it is acceptable. */
    public String problem(String value) {
        if (isChoice()) {
            return choices.contains(value) ? null : "'" + value + "' is not one of " + String.join(", ", choices);
        }
        try {
            long v = Long.parseLong(value.trim());
            return v >= min && v <= max ? null : "'" + value + "' is out of range " + min + " to " + max;
        } catch (NumberFormatException e) {
            return "'" + value + "' is not a whole number (" + min + " to " + max + ")";
        }
    }

    /** How {@code make list} shows it. */
    public String describe() {
        return (isChoice() ? String.join(" | ", choices) : min + ".." + max) + " (default " + defaultValue + "): " + description;
    }
}
