package tcplab.experiment;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A message between an experiment's run side and its agents: a kind from the experiment's own enum
 * and the named values that kind declares, e.g. {@code reconnected outcome=REFUSED connect_us=812}.
 * Both ends use the same enum, so a message is sent and read by name, never split by position, and a
 * missing or unexpected value fails where it is made or read.
 */
public final class Message {

    /** The values a message kind carries, on its enum constant: {@code @Keys("port") CLOSE}. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.FIELD)
    public @interface Keys {
        String[] value();
    }

    /**
     * Implemented by an experiment's enum of messages. The constant's name is its word on the wire
     * (lower case, dashes); {@link #keys} are the values it carries, from its {@link Keys}.
     */
    public interface Kind {
        String name();

        default List<String> keys() {
            try {
                Keys keys = ((Enum<?>) this).getDeclaringClass().getField(name()).getAnnotation(Keys.class);
                return keys == null ? List.of() : List.of(keys.value());
            } catch (NoSuchFieldException | ClassCastException e) {
                throw new IllegalStateException(this + " is not an enum constant", e);
            }
        }

        default String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Kind kind;
    private final Map<String, String> values;

    private Message(Kind kind, Map<String, String> values) {
        if (!values.keySet().equals(new java.util.HashSet<>(kind.keys()))) {
            throw new IllegalArgumentException("message '" + kind.word() + "' carries " + kind.keys() + ", not " + values.keySet());
        }
        this.kind = kind;
        this.values = values;
    }

    /** A message of {@code kind} with its values as key, value pairs: {@code of(CLOSE, "port", 7001)}. */
    public static Message of(Kind kind, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("message '" + kind.word() + "': values come in key, value pairs");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(String.valueOf(keyValues[i]), String.valueOf(keyValues[i + 1]));
        }
        return new Message(kind, values);
    }

    /** The line on the wire. */
    public String encode() {
        StringBuilder line = new StringBuilder(kind.word());
        values.forEach((k, v) -> line.append(' ').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return line.toString();
    }

    /** Whether {@code line} is a message of {@code kind}. */
    public static boolean is(Kind kind, String line) {
        return line.equals(kind.word()) || line.startsWith(kind.word() + " ");
    }

    /** Reads a line as one of {@code kinds}; an unknown word is an error that names the ones known. */
    public static <K extends Enum<K> & Kind> Message parse(Class<K> kinds, String line) {
        String[] parts = line.trim().split(" ");
        for (K k : kinds.getEnumConstants()) {
            if (k.word().equals(parts[0])) {
                return parse(k, line);
            }
        }
        throw new IllegalArgumentException("unknown message '" + parts[0] + "'; known: "
                + java.util.Arrays.stream(kinds.getEnumConstants()).map(Kind::word).toList());
    }

    /** Reads a line known to be of {@code kind}. */
    public static Message parse(Kind kind, String line) {
        String[] parts = line.trim().split(" ");
        if (!parts[0].equals(kind.word())) {
            throw new IllegalArgumentException("expected message '" + kind.word() + "', got '" + line + "'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("message '" + line + "': '" + parts[i] + "' is not key=value");
            }
            values.put(parts[i].substring(0, eq), URLDecoder.decode(parts[i].substring(eq + 1), StandardCharsets.UTF_8));
        }
        return new Message(kind, values);
    }

    public Kind kind() {
        return kind;
    }

    public boolean is(Kind k) {
        return kind == k;
    }

    public String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("message '" + kind.word() + "' has no value '" + key + "'");
        }
        return v;
    }

    public int integer(String key) {
        return Integer.parseInt(text(key));
    }

    public long number(String key) {
        return Long.parseLong(text(key));
    }

    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        return Enum.valueOf(type, text(key));
    }

    @Override
    public String toString() {
        return encode();
    }
}
