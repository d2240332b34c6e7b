package tcplab.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An experiment's parameters with every default filled in, read by type. */
public final class Params {
    private final Map<String, String> values;

    Params(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Values already checked elsewhere, such as those an agent receives from its run side. */
    public static Params of(Map<String, String> values) {
        return new Params(values);
    }

    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' (declared: " + values.keySet() + ")");
        }
        return value;
    }

    public int integer(String name) {
        return Integer.parseInt(get(name).trim());
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type) {
        return Enum.valueOf(type, get(name));
    }

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
