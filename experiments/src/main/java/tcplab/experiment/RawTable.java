package tcplab.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/**
 * One raw file of an experiment's configurations, {@code raw/ID.NAME.csv}, typed by a record: its
 * columns are the record's components, in order, so the agent that writes a row and the claims that
 * read it share one definition, and a renamed or missing column fails when the file is read, naming
 * the file and the column, not later as a null.
 *
 * <p>Values: String, int, long, double, boolean, enums (written by name; read by name or in the
 * lower-case, dashed form older files used) and the boxed numbers. An empty cell reads as
 * null for a boxed number and NaN for a double (written the same way): "not measured". A component
 * whose column name differs from its Java name (raw files written before the record existed) says
 * so with {@link Column}.
 */
public final class RawTable<R extends Record> {

    /** The column name of a record component, when it is not the component's name. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Column {
        String value();
    }

    private final String name;
    private final RecordComponent[] components;
    private final String[] columns;
    private final Constructor<R> constructor;

    private RawTable(String name, Class<R> type) {
        this.name = name;
        this.components = type.getRecordComponents();
        this.columns = Arrays.stream(components).map(c -> c.isAnnotationPresent(Column.class) ? c.getAnnotation(Column.class).value()
                : c.getName()).toArray(String[]::new);
        try {
            this.constructor = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            this.constructor.setAccessible(true);
            for (RecordComponent c : components) {
                c.getAccessor().setAccessible(true);
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " is a record without its canonical constructor", e);
        }
    }

    /** The raw file {@code raw/ID.NAME.csv} whose rows are {@code type}. */
    public static <R extends Record> RawTable<R> of(String name, Class<R> type) {
        return new RawTable<>(name, type);
    }

    public String name() {
        return name;
    }

    public List<String> columns() {
        return List.of(columns);
    }

    /** Writes rows as they come, each flushed: what a killed run wrote stays. Threads may share one. */
    public final class Log implements AutoCloseable {
        private final RunFolder.CsvLog csv;

        private Log(RunFolder.CsvLog csv) {
            this.csv = csv;
        }

        public synchronized void add(R row) throws IOException {
            csv.row(cells(row));
        }

        /** The same for lambdas that may not throw. */
        public void addUnchecked(R row) {
            try {
                add(row);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            csv.close();
        }
    }

    /** Opens this table in a configuration's run folder, from the run side. */
    public Log open(Trial trial) throws IOException {
        return new Log(trial.rows(name, columns));
    }

    /** Opens this table from inside a lab host. */
    public Log open(Agent agent) throws IOException {
        return new Log(agent.rows(name, columns));
    }

    /** A configuration's rows, read back; empty when it wrote none. */
    public List<R> read(ExperimentData data, RunData.Result trial) throws IOException {
        return parse(data.rows(trial, name), trial.id() + "." + name + ".csv");
    }

    /** What the run side reads back of a file an agent wrote. */
    public List<R> read(Trial trial) throws IOException {
        return parse(trial.read(name), trial.id() + "." + name + ".csv");
    }

    /** Rows as CSV gives them (column → text), typed; {@code file} names them in errors. */
    public List<R> parse(List<Map<String, String>> rows, String file) {
        List<R> typed = new ArrayList<>(rows.size());
        for (int line = 0; line < rows.size(); line++) {
            Map<String, String> row = rows.get(line);
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                if (!row.containsKey(columns[i])) {
                    throw new IllegalArgumentException("raw/" + file + " has no column '" + columns[i] + "' (it has " + row.keySet()
                            + "); it was written by another tcplab version: run the experiment again with this one");
                }
                try {
                    values[i] = value(components[i].getType(), row.get(columns[i]));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("raw/" + file + " row " + (line + 2) + ", column '" + columns[i] + "': '"
                            + row.get(columns[i]) + "' is not a " + components[i].getType().getSimpleName(), e);
                }
            }
            try {
                typed.add(constructor.newInstance(values));
            } catch (InstantiationException | IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("raw/" + file + " row " + (line + 2) + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
        return typed;
    }

    /** A row's cells in column order, as written. */
    Object[] cells(R row) {
        Object[] cells = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                Object v = components[i].getAccessor().invoke(row);
                cells[i] = v == null || (v instanceof Double d && d.isNaN()) ? "" : v;
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
        }
        return cells;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object value(Class<?> t, String text) {
        String s = text == null ? "" : text.trim();
        if (t == String.class) {
            return text == null ? "" : text;
        }
        if (s.isEmpty()) {
            if (t == double.class) {
                return Double.NaN;
            }
            if (t == Double.class || t == Integer.class || t == Long.class || t == Boolean.class) {
                return null;
            }
            throw new IllegalArgumentException("empty");
        }
        if (t == int.class || t == Integer.class) {
            return Integer.parseInt(s);
        }
        if (t == long.class || t == Long.class) {
            return Long.parseLong(s);
        }
        if (t == double.class || t == Double.class) {
            return Double.parseDouble(s);
        }
        if (t == boolean.class || t == Boolean.class) {
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException("not true or false");
            }
            return Boolean.parseBoolean(s);
        }
        if (t.isEnum()) {
            for (Object constant : t.getEnumConstants()) { // the name, or as older files wrote it: client-first
                String name = ((Enum) constant).name();
                if (name.equals(s) || name.equalsIgnoreCase(s.replace('-', '_'))) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("not one of " + Arrays.toString(t.getEnumConstants()));
        }
        throw new IllegalStateException("a raw column of type " + t + " is not supported");
    }
}
