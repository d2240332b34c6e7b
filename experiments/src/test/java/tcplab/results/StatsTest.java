package tcplab.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddEvenAndNoValues() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)), 1e-9);
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)), 1e-9);
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }
}
