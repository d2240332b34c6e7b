package tcplab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCountersTest {
    @Test
    void parsesPairedCounterLines() {
        Map<String, Long> v = KernelCounters.parseMib(List.of(
                "TcpExt: SyncookiesSent TW TWRecycled ListenOverflows",
                "TcpExt: 0 12 3 4",
                "Tcp: RtoAlgorithm MaxConn ActiveOpens",
                "Tcp: 1 -1 77"));
        assertEquals(12L, v.get("TcpExt.TW"));
        assertEquals(3L, v.get("TcpExt.TWRecycled"));
        assertEquals(-1L, v.get("Tcp.MaxConn"));
        assertEquals(77L, v.get("Tcp.ActiveOpens"));
        assertThrows(IllegalArgumentException.class, () -> KernelCounters.parseMib(List.of("TcpExt: A B", "IpExt: 1 2")));
    }

    @Test
    void parsesSockstat() {
        Map<String, Long> v = KernelCounters.parseSockstat(List.of("sockets: used 5", "TCP: inuse 3 orphan 0 tw 12 alloc 5 mem 1"));
        assertEquals(12L, v.get("sockstat.TCP.tw"));
        assertEquals(5L, v.get("sockstat.sockets.used"));
    }

    @Test
    void readsThisProcessesNamespace() throws Exception {
        Map<String, Long> v = KernelCounters.read(java.nio.file.Path.of("/proc/self/net"));
        for (String key : List.of("TcpExt.TW", "TcpExt.TWRecycled", "TcpExt.TCPTimeWaitOverflow", "TcpExt.ListenOverflows",
                "TcpExt.ListenDrops", "Tcp.ActiveOpens", "Tcp.AttemptFails", "Tcp.EstabResets", "Tcp.RetransSegs",
                "TcpExt.TCPAbortOnTimeout", "TcpExt.TCPAbortOnLinger", "sockstat.TCP.tw", "state.TIME_WAIT", "state.LISTEN")) {
            assertTrue(v.containsKey(key), key + " in " + v.keySet());
        }
    }
}
