package tcplab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TargetTest {
    @Test
    void parsesHostAndPort() {
        InetSocketAddress a = Target.parse("198.18.0.2:7000");
        assertEquals("198.18.0.2", a.getAddress().getHostAddress());
        assertEquals(7000, a.getPort());
        assertEquals(StandardProtocolFamily.INET, Target.familyOf(a));
        assertEquals(StandardProtocolFamily.INET6, Target.familyOf(Target.parse("[::1]:7000")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "198.18.0.2        | not HOST:PORT",
        "198.18.0.2:       | not HOST:PORT",
        "198.18.0.2:http   | port is not a number",
        "198.18.0.2:0      | out of range 1-65535",
        "198.18.0.2:70000  | out of range 1-65535",
        "no.such.host.invalid:7000 | cannot resolve host",
    })
    void refusesBadTargetsWithOneLine(String spec, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.parse(spec));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
