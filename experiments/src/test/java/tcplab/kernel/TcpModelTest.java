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

    @Test
    void synScheduleFollowsTheDocumentedDefaultsAndTheTimeLimit() {
        // ip-sysctl.rst: with tcp_syn_linear_timeouts = 4, timeouts "1, 1, 1, 1, 1, 2, 4, ...", the last SYN at 67 s, failure at 131 s
        TcpModel.SynSchedule defaults = TcpModel.synSchedule(6, 4, 120);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67}, defaults.sendTimes(), 1e-9);
        assertEquals(131, defaults.failsAt(), 1e-9);
        TcpModel.SynSchedule exponential = TcpModel.synSchedule(6, 0, 120);
        assertEquals(127, exponential.failsAt(), 1e-9, "1 + 2 + ... + 64");
        assertEquals(7, exponential.syns());
        // with few retries the time limit, 2^(retries + 1) - 1 s, ends it first (as measured on 6.18)
        TcpModel.SynSchedule two = TcpModel.synSchedule(2, 4, 120);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, two.sendTimes(), 1e-9);
        assertEquals(7, two.failsAt(), 1e-9);
        assertEquals(3, TcpModel.synSchedule(1, 4, 120).failsAt(), 1e-9);
        assertEquals(2, TcpModel.synSchedule(1, 0, 120).syns());
        assertEquals(127 + 120 + 120, TcpModel.synSchedule(8, 0, 120).failsAt(), 1e-9, "capped at the maximum RTO");
    }

    @Test
    void retransmissionTimeoutIsTheKernelsModel() {
        assertEquals(924.6, TcpModel.retransmitTimeoutSeconds(15, 0.2, 120), 1e-9, "the figure everyone quotes for tcp_retries2 = 15");
        assertEquals(3.0, TcpModel.retransmitTimeoutSeconds(3, 0.2, 120), 1e-9);
        assertEquals(204.6, TcpModel.retransmitTimeoutSeconds(9, 0.2, 120), 1e-9);
        assertEquals(324.6, TcpModel.retransmitTimeoutSeconds(10, 0.2, 120), 1e-9);
    }

    @Test
    void keepaliveDefaultsTakeOverTwoHours() {
        assertEquals(7875, TcpModel.keepaliveDetectionSeconds(7200, 75, 9), 1e-9);
    }
}
