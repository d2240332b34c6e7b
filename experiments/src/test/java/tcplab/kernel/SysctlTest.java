package tcplab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SysctlTest {
    @Test
    void namesInBothSyntaxes() {
        assertEquals("net.ipv4.tcp_tw_reuse", Sysctl.of("net/ipv4/tcp_tw_reuse").name());
        assertEquals(Path.of("/proc/sys/net/ipv4/tcp_tw_reuse"), Sysctl.of("net.ipv4.tcp_tw_reuse").file());
        // with slashes, dots belong to the names (a VLAN interface)
        assertEquals("net/ipv4/conf/eth0.100/rp_filter", Sysctl.of("net/ipv4/conf/eth0.100/rp_filter").relativePath());
        assertTrue(Sysctl.of("net.core.somaxconn").isNet());
        assertFalse(Sysctl.of("kernel.pid_max").isNet());
        assertFalse(Sysctl.of("net/../kernel/pid_max").isWellFormed());
    }

    @Test
    void valuesCompareAsTheKernelMeansThem() {
        assertEquals("32768 60999", Sysctl.normalize(" 32768\t60999\n"));
        assertTrue(Sysctl.sameValue("32768\t60999", "32768 60999"));
        assertTrue(Sysctl.sameValue("01", "1"));
        assertFalse(Sysctl.sameValue("1 2", "1"));
        assertFalse(Sysctl.sameValue("cubic", "reno"));
    }

    @Test
    void readsTheWholeValueOfAMultiFieldSysctl() throws Exception {
        // the kernel answers reads at an offset with EOF; a naive read returns one character
        String range = Sysctl.of("net.ipv4.ip_local_port_range").read();
        assertTrue(range.matches("\\d+ \\d+"), range);
        assertEquals(Sysctl.normalize(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)), range);
    }

    @Test
    void refusesToWriteOnTheHostAndRefusesHostWideKeysAnywhere() throws Exception {
        Sysctl finTimeout = Sysctl.of("net.ipv4.tcp_fin_timeout");
        String before = finTimeout.read();
        assertThrows(IllegalStateException.class, () -> finTimeout.write("59"));
        assertEquals(before, finTimeout.read());
        Sysctl swappiness = Sysctl.of("vm.swappiness");
        String swap = swappiness.read();
        assertThrows(IllegalStateException.class, () -> swappiness.write("1"));
        assertEquals(swap, swappiness.read());
    }
}
