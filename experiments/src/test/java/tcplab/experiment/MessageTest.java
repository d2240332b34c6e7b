package tcplab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Messages between the run side and agents: by name, typed, and refused when they do not fit their kind. */
class MessageTest {
    enum Protocol implements Message.Kind {
        READY,
        @Message.Keys({"outcome", "connect_us"}) RECONNECTED,
        @Message.Keys("ports") EARLY_DONE
    }

    enum Outcome { REFUSED }

    @Test
    void aMessageReadsBackByNameAndType() {
        String line = Message.of(Protocol.RECONNECTED, "outcome", Outcome.REFUSED, "connect_us", 812).encode();
        assertEquals("reconnected outcome=REFUSED connect_us=812", line);
        Message m = Message.parse(Protocol.class, line);
        assertTrue(m.is(Protocol.RECONNECTED));
        assertEquals(Outcome.REFUSED, m.choice("outcome", Outcome.class));
        assertEquals(812L, m.number("connect_us"));
        assertEquals("7001,7002 x", Message.parse(Protocol.EARLY_DONE, Message.of(Protocol.EARLY_DONE, "ports", "7001,7002 x").encode())
                .text("ports"), "a value with a space survives the wire");
        assertTrue(Message.is(Protocol.READY, "ready"));
        assertTrue(!Message.is(Protocol.READY, "ready-not"));
    }

    @Test
    void aMissingOrUnknownValueOrWordFails() {
        assertEquals("message 'reconnected' carries [outcome, connect_us], not [outcome]",
                assertThrows(IllegalArgumentException.class, () -> Message.of(Protocol.RECONNECTED, "outcome", "REFUSED")).getMessage());
        assertEquals("unknown message 'bye'; known: [ready, reconnected, early-done]",
                assertThrows(IllegalArgumentException.class, () -> Message.parse(Protocol.class, "bye")).getMessage());
    }
}
