package tcplab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's arithmetic; what the kernel does is tested against the kernel in the experiment tests. */
class TcpModelTest {
    private static final Map<String, String> RANGE = Map.of("net.ipv4.ip_local_port_range", "40000 40999",
            "net.ipv4.ip_local_reserved_ports", "40002,40500-40503,50000");

    @Test
    void reservedPortsInsideTheRangeAreNotUsable() {
        assertEquals(1000, TcpModel.portCount(RANGE));
        assertEquals(995, TcpModel.usablePorts(RANGE), "40002 and 40500-40503 are inside; 50000 is not");
        assertArrayEquals(new int[] {497, 498}, TcpModel.usablePortsByParity(RANGE), "three even and two odd ports reserved");
        assertTrue(TcpModel.reserved(RANGE, 40501));
        assertFalse(TcpModel.reserved(RANGE, 40504));
        assertEquals(-1, TcpModel.usablePorts(Map.of()));
    }

    @Test
    void aPortOfTheFirstParityIsTakenFirst() {
        assertEquals(0.5, TcpModel.portTakenProbability(250, 500, 500, true), 1e-9);
        assertEquals(0.0, TcpModel.portTakenProbability(250, 500, 500, false), 1e-9);
        assertEquals(1.0, TcpModel.portTakenProbability(750, 500, 500, true), 1e-9);
        assertEquals(0.5, TcpModel.portTakenProbability(750, 500, 500, false), 1e-9);
        assertEquals(1.0, TcpModel.portTakenProbability(1000, 500, 500, false), 1e-9);
    }

    @Test
    void rebindNeedsTheOptionOnBothSocketsWhenSomethingIsLeft() {
        assertTrue(TcpModel.rebindAllowed(false, false, false));
        assertFalse(TcpModel.rebindAllowed(true, false, true));
        assertFalse(TcpModel.rebindAllowed(false, true, true));
        assertTrue(TcpModel.rebindAllowed(true, true, true));
    }
}
