package tcplab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import tcplab.testing.Cli;
import tcplab.testing.HostState;

/**
 * A machine with network namespaces of its own (CNI plugins, VPN tools and other test suites make
 * them with {@code ip netns add}): the checks that tcplab left nothing behind pass beside them,
 * leave them alone, and still catch a leak of tcplab's own.
 */
class ForeignNamespacesTest {
    private static final String PREFIX = "tcplab-test-foreign-" + ProcessHandle.current().pid();
    private static final List<String> FOREIGN = List.of(PREFIX + "-a", PREFIX + "-b");
    /** An unrelated process living in one of them, as a VPN daemon would; bounded, and killed at the end. */
    private static Process resident;

    @BeforeAll
    static void someoneElsesNamespaces() throws Exception {
        assumeTrue(LabLauncher.isRoot(), "ip netns add needs root");
        for (String name : FOREIGN) {
            Processes.run(List.of("ip", "netns", "add", name), null, Duration.ofSeconds(10));
        }
        resident = new ProcessBuilder("ip", "netns", "exec", FOREIGN.get(0), "sleep", "300").start();
    }

    @AfterAll
    static void removeThem() throws Exception {
        if (resident != null) {
            Processes.killTree(resident.toHandle());
        }
        for (String name : FOREIGN) {
            Processes.run(List.of("ip", "netns", "delete", name), null, Duration.ofSeconds(10));
        }
    }

    @Test
    void aRunBesideThemPassesTheChecksAndLeavesThemAlone() throws Exception {
        HostState.Snapshot before = HostState.Snapshot.take();
        assertTrue(before.namedNamespaces().containsAll(FOREIGN), "the machine has namespaces of its own: " + before.namedNamespaces());
        Cli.Result r = Cli.run("check-profile", "narrow-ports"); // starts a lab and tries every value inside it
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(), HostState.processesWith(Cli.MARKER), "processes left behind");
        before.assertNothingAdded("check-profile beside foreign namespaces");
        assertTrue(HostState.namedNamespaces().containsAll(FOREIGN), "the foreign namespaces are still there");
        assertTrue(resident.isAlive(), "the unrelated process in " + FOREIGN.get(0) + " was left alone");
    }

    @Test
    void aLeakOfItsOwnStillFailsTheCheckAndIsNamed() throws Exception {
        HostState.Snapshot before = HostState.Snapshot.take();
        String leak = PREFIX + "-leak";
        Path leakedFile = Path.of(System.getProperty("java.io.tmpdir"), "tcplab-out-leak" + ProcessHandle.current().pid() + ".txt");
        // plays a tcplab that forgot a namespace and a temporary file
        Processes.run(List.of("ip", "netns", "add", leak), null, Duration.ofSeconds(10));
        Files.writeString(leakedFile, "left behind");
        try {
            AssertionFailedError caught = assertThrows(AssertionFailedError.class, () -> before.assertNothingAdded("a deliberate leak"));
            String message = caught.getMessage();
            assertTrue(message.contains("named namespace " + leak), message);
            assertTrue(message.contains("temporary file " + leakedFile.getFileName()), message);
            FOREIGN.forEach(f -> assertFalse(message.contains(f + " "), "names only what was added: " + message));
        } finally {
            Processes.run(List.of("ip", "netns", "delete", leak), null, Duration.ofSeconds(10));
            Files.deleteIfExists(leakedFile);
        }
        before.assertNothingAdded("once the leak is removed");
    }
}
