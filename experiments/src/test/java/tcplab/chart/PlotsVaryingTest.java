package tcplab.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Legends that name only what varies. */
class PlotsVaryingTest {
    private static Map<String, String> of(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void onlyTheKeysThatDifferShortNamesWordsAlone() {
        assertEquals(List.of("tw_reuse=0 veth", "tw_reuse=1 loopback"), Plots.varying(List.of(
                of("closeMode", "CLIENT_FIN", "net.ipv4.ip_local_port_range", "40000 40999", "net.ipv4.tcp_tw_reuse", "0", "path", "veth"),
                of("closeMode", "CLIENT_FIN", "net.ipv4.ip_local_port_range", "40000 40999", "net.ipv4.tcp_tw_reuse", "1", "path", "loopback")),
                "measured"));
    }

    @Test
    void aKeyOneConfigurationLacksVariesAndIsNamedWhereItIsSet() {
        // the other names nothing of its own: it gets the one line's name
        assertEquals(List.of("timestamps=0", "measured"), Plots.varying(List.of(of("net.ipv4.tcp_timestamps", "0", "path", "veth"),
                of("path", "veth")), "measured"));
    }

    @Test
    void nothingVaryingNamesTheLineAsToldAndRepeatsAreNumbered() {
        assertEquals(List.of("measured", "measured (2)"), Plots.varying(List.of(of("path", "veth"), of("path", "veth")), "measured"));
    }
}
