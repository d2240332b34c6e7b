package tcplab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelFeaturesTest {
    static final Map<String, String> NEW = Map.of("net.ipv4.tcp_syn_linear_timeouts", "4", "net.ipv4.tcp_tw_reuse_delay", "1000",
            "net.ipv4.tcp_rto_max_ms", "120000", "net.ipv4.tcp_rto_min_us", "200000");
    static final Map<String, String> OLD = Map.of("net.ipv4.tcp_syn_retries", "6");

    @Test
    void aKeyTheKernelLacksSkipsItsConfigurationWithTheOlderBehaviourAndItsSource() {
        String why = KernelFeatures.skipReason("net.ipv4.tcp_syn_linear_timeouts", false, "6.1.0-57-amd64");
        assertTrue(why.startsWith("this kernel (6.1.0-57-amd64) has no net.ipv4.tcp_syn_linear_timeouts"), why);
        assertTrue(why.contains("127 s") && why.contains("ccce324dabfe"), why);
        assertNull(KernelFeatures.skipReason("net.ipv4.tcp_syn_linear_timeouts", true, "6.18"), "present: it runs");
        assertNull(KernelFeatures.skipReason("net.ipv4.tcp_made_up", false, "6.18"), "a key tcplab does not know is not skipped here");
    }

    @Test
    void differingFeaturesAreThoseOneKernelHasForTheClaimAsked() {
        assertEquals(Set.of("net.ipv4.tcp_syn_linear_timeouts"),
                Set.copyOf(KernelFeatures.differing(NEW, OLD, Set.of("C10")).stream().map(KernelFeatures.Feature::sysctl).toList()),
                "tcp_rto_max_ms at 120000 is the cap a kernel without it has");
        assertEquals(Set.of("net.ipv4.tcp_rto_max_ms"), Set.copyOf(KernelFeatures.differing(Map.of("net.ipv4.tcp_rto_max_ms", "60000"), OLD,
                Set.of("C12")).stream().map(KernelFeatures.Feature::sysctl).toList()), "a lowered cap does change the model");
        assertEquals(0, KernelFeatures.differing(NEW, NEW, Set.of()).size());
        assertEquals(4, KernelFeatures.missing(OLD).size());
    }
}
