package tcplab.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void countIsSingularOnlyForOne() {
        assertEquals("0 resets", Format.count(0, "reset"));
        assertEquals("1 reset", Format.count(1, "reset"));
        assertEquals("2 challenge ACKs", Format.count(2, "challenge ACK"));
        assertEquals("1 unanswered probe", Format.count(1, "unanswered probe"));
    }
}
