package tcplab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TcpSocketsTest {
    @Test
    void parsesAListenerWithItsAcceptQueue() {
        TcpSockets.Socket s = TcpSockets.parse(
                "   0: 020012C6:1B58 00000000:0000 0A 00000000:00000009 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0");
        assertEquals("198.18.0.2", s.local());
        assertEquals(7000, s.localPort());
        assertEquals("LISTEN", s.state());
        assertEquals(9, s.receiveQueue(), "a listener's receive queue is its accept queue");
        assertEquals(0, s.sendQueue());
    }

    @Test
    void parsesRetransmissionsAndKeepaliveProbes() {
        TcpSockets.Socket syn = TcpSockets.parse(
                "   2: 010012C6:9C41 020012C6:1B58 02 00000000:00000000 01:00000064 00000003     0        0 777 2 0000000000000000 400 0 0 10 -1");
        assertEquals("SYN_SENT", syn.state());
        assertEquals(3, syn.retransmits());
        TcpSockets.Socket idle = TcpSockets.parse(
                "   3: 010012C6:9C42 020012C6:1B58 01 00000000:00000000 02:00000064 00000000     0        2 778 2 0000000000000000 20 4 30 10 -1");
        assertEquals(2, idle.timer(), "keepalive timer");
        assertEquals(2, idle.probesOut(), "two keepalive probes unanswered");
    }

    @Test
    void parsesATimeWaitSocketWithItsTimer() {
        TcpSockets.Socket s = TcpSockets.parse(
                "   1: 010012C6:9C40 020012C6:1B58 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000");
        assertEquals(40000, s.localPort());
        assertEquals("198.18.0.2", s.remote());
        assertEquals("TIME_WAIT", s.state());
        assertEquals(3, s.timer());
        assertEquals(60_000, s.timerMillis(), "0x1770 = 6000 hundredths of a second");
    }

    @Test
    void showsAnIpv4MappedAddressAsIpv4AndSkipsTheHeader() {
        assertEquals("127.0.0.1", TcpSockets.ipv4("0000000000000000FFFF00000100007F"));
        assertNull(TcpSockets.parse("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
    }

    @Test
    void describesACountByState() {
        assertEquals("no sockets", TcpSockets.describe(Map.of()));
        assertEquals("2 CLOSE_WAIT", TcpSockets.describe(Map.of("CLOSE_WAIT", 2L)));
    }
}
