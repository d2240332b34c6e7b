package tcplab.chart;

import java.util.ArrayList;
import java.util.List;

/** Generated Markdown, so no table is a hand-counted row of pipes. */
public final class Markdown {
    private Markdown() {
    }

    /** A table: a header, then rows of as many cells; a pipe or a line break inside a cell cannot break it. */
    public static final class Table {
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();
        private final boolean[] numeric;

        public Table(String... header) {
            this.header = List.of(header);
            this.numeric = new boolean[header.length];
        }

        public Table(List<String> header) {
            this(header.toArray(String[]::new));
        }

        /** Right-aligns the columns at these positions (numbers). */
        public Table numeric(int... columns) {
            for (int c : columns) {
                numeric[c] = true;
            }
            return this;
        }

        /** Right-aligns the named columns (numbers). */
        public Table numeric(String... columns) {
            for (String c : columns) {
                numeric[header.indexOf(c)] = true;
            }
            return this;
        }

        public Table row(Object... cells) {
            if (cells.length != header.size()) {
                throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns: " + header);
            }
            List<String> row = new ArrayList<>();
            for (Object c : cells) {
                row.add(cell(c));
            }
            rows.add(row);
            return this;
        }

        public boolean isEmpty() {
            return rows.isEmpty();
        }

        public String markdown() {
            StringBuilder md = new StringBuilder("|");
            header.forEach(h -> md.append(' ').append(cell(h)).append(" |"));
            md.append("\n|");
            for (boolean n : numeric) {
                md.append(n ? "---:|" : "---|");
            }
            md.append('\n');
            for (List<String> row : rows) {
                md.append('|');
                row.forEach(c -> md.append(' ').append(c).append(" |"));
                md.append('\n');
            }
            return md.toString();
        }

        private static String cell(Object value) {
            return value == null ? "" : value.toString().replace("|", "\\|").replace("\n", " ");
        }
    }
}
