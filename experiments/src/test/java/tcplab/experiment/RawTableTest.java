package tcplab.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed raw rows: written and read by one record, and a file that does not match it named with its column. */
class RawTableTest {
    enum Outcome { ANSWERED, CONNECT_TIMEOUT }

    record Row(long second, @RawTable.Column("time_wait") int timeWait, double rtoMs, Long firstFailureMs, Outcome outcome, String note) {
    }

    private static final RawTable<Row> TABLE = RawTable.of("rows", Row.class);

    @Test
    void columnsFollowTheRecordAndItsColumnNames() {
        assertEquals(List.of("second", "time_wait", "rtoMs", "firstFailureMs", "outcome", "note"), TABLE.columns());
    }

    @Test
    void aRowReadsBackAsItWasWrittenWithBlanksForNotMeasured() {
        Row row = new Row(3, 1000, Double.NaN, null, Outcome.CONNECT_TIMEOUT, "a, b");
        Object[] cells = TABLE.cells(row);
        assertArrayEquals(new Object[] {3L, 1000, "", "", Outcome.CONNECT_TIMEOUT, "a, b"}, cells);
        Row back = TABLE.parse(List.of(Map.of("second", "3", "time_wait", "1000", "rtoMs", "", "firstFailureMs", "", "outcome",
                "CONNECT_TIMEOUT", "note", "a, b")), "1-x.rows.csv").get(0);
        assertEquals(row.second(), back.second());
        assertTrue(Double.isNaN(back.rtoMs()));
        assertNull(back.firstFailureMs());
        assertEquals(Outcome.CONNECT_TIMEOUT, back.outcome());
        assertEquals(Outcome.CONNECT_TIMEOUT, TABLE.parse(List.of(Map.of("second", "3", "time_wait", "1", "rtoMs", "1", "firstFailureMs",
                "2", "outcome", "connect-timeout", "note", "")), "f").get(0).outcome(), "the dashed lower-case form older files wrote");
    }

    @Test
    void aRenamedColumnFailsWhenReadNamingTheFileAndTheColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TABLE.parse(List.of(Map.of("second", "1",
                "timeWait", "5", "rtoMs", "1", "firstFailureMs", "", "outcome", "ANSWERED", "note", "")), "7-x.rows.csv"));
        assertTrue(e.getMessage().startsWith("raw/7-x.rows.csv has no column 'time_wait'"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TABLE.parse(List.of(Map.of("second", "one",
                "time_wait", "5", "rtoMs", "1", "firstFailureMs", "", "outcome", "ANSWERED", "note", "")), "7-x.rows.csv"));
        assertEquals("raw/7-x.rows.csv row 2, column 'second': 'one' is not a long", bad.getMessage());
    }
}
