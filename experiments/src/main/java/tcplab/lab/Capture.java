package tcplab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A packet capture for a ladder figure: tcpdump inside one of the lab's hosts, never on this
 * machine's own interfaces, limited to the few connections a figure shows (a BPF filter), to a
 * number of packets ({@code -c}) and to a time ({@code timeout}), written as classic pcap.
 *
 * <p>It listens on "any" of the host's interfaces: a capture bound to the veth device would end
 * when the link goes down (as simultaneous-close takes it down), "any" outlives that. Cleanup: the
 * trial stops it with the other processes it started ({@link #close}, also on SIGINT/SIGTERM and at
 * the time bound); {@code timeout} ends it at its own bound if nothing else does; and a SIGKILL of
 * tcplab ends it with the lab's pid namespace, like every other process of the lab.
 */
public final class Capture implements AutoCloseable {
    /** What an experiment that draws a ladder needs: the command and its Debian package. */
    public static final Map<String, String> NEEDS = Map.of("tcpdump", "tcpdump");
    private static final Duration READY = Duration.ofSeconds(5);

    private final Process process;
    private final Path pcap;

    private Capture(Process process, Path pcap) {
        this.process = process;
        this.pcap = pcap;
    }

    /**
     * Starts tcpdump in {@code host} and returns once it listens ("listening on" on its stderr, kept
     * in {@code log}), so the traffic that follows is captured. At most {@code packets} packets, for at
     * most {@code bound}; only the headers and the first bytes of each payload are kept.
     */
    public static Capture start(LabHost host, String filter, int packets, Duration bound, Path pcap, Path log) throws LabException {
        if (host.isThisMachine()) {
            throw new LabException("no packets are captured on a real machine's interfaces (host mode and two-machine runs); tcplab"
                    + " captures only inside namespaces it made", "run in namespace mode for the ladder figures");
        }
        Path tcpdump = LabLauncher.findOnPath("tcpdump");
        if (tcpdump == null) {
            throw new LabException("`tcpdump` is not installed; the ladder figures capture packets with it",
                    "apt-get install tcpdump (or run `make prereqs` as root)");
        }
        // -Z root: Debian's tcpdump would switch to its own user, who may not write the run folder;
        // -y LINUX_SLL: the cooked header pkts reads; --immediate-mode -U: each packet on disk as it comes
        List<String> command = host.command(List.of("timeout", "--kill-after=2", Math.max(1, bound.toSeconds()) + "s",
                tcpdump.toString(), "-i", "any", "-y", "LINUX_SLL", "--immediate-mode", "-U", "-n", "-Z", "root",
                "-s", "128", "-c", Integer.toString(packets), "-w", pcap.toString(), filter));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new LabException("cannot start tcpdump: " + e.getMessage(), "apt-get install tcpdump", e);
        }
        long deadline = System.nanoTime() + READY.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (Files.readString(log).contains("listening on")) {
                    return new Capture(process, pcap);
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(10);
            }
            String output = Files.readString(log).trim();
            Processes.killTree(process.toHandle());
            throw new LabException("tcpdump did not start in the " + host.name() + " host"
                    + (output.isEmpty() ? "" : ": " + output.lines().reduce((a, b) -> b).orElse("")), "see " + log);
        } catch (IOException e) {
            Processes.killTree(process.toHandle());
            throw new LabException("cannot read tcpdump's log " + log + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Processes.killTree(process.toHandle());
            throw new LabException("interrupted while tcpdump was starting", null, e);
        }
    }

    public Path file() {
        return pcap;
    }

    /** Stops the capture: SIGTERM makes tcpdump write what it holds and exit; killed if it does not within a second. */
    @Override
    public void close() {
        Processes.stopTree(process, Duration.ofSeconds(1));
    }
}
