package tcplab.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tcplab.lab.LabException;

/**
 * One QEMU guest running a Debian kernel ({@link KernelPackage}) over this machine's own
 * filesystem, read-only (9p), so the same JDK and jars run inside. The guest writes only to
 * {@code out}, shared writable at the same path; it has no network device at all, so its test
 * traffic stays inside the namespaces it makes itself. QEMU is started under {@code setpriv
 * --pdeathsig KILL}, so a SIGKILL of tcplab takes it too; {@link #close} kills it on every other
 * exit, and the hard time limit kills it if nothing else does. Nothing is created on this machine
 * but the guest's process: no tap device, no disk image.
 */
public final class Guest implements AutoCloseable {
    /** At most 2 GiB and 2 vCPUs, as the issue of this feature bounds them. */
    public static final int MEMORY_MIB = 2048;
    public static final int CPUS = 2;
    /** How long a guest may take to reach its init's "ready" before it is taken for one that cannot boot. */
    static final Duration BOOT_LIMIT = Duration.ofSeconds(90);
    static final String READY = "tcplab-guest: ready";
    static final String FAILED = "tcplab-guest: FAILED";
    public static final String RUN_SCRIPT = "guest-run.sh";
    public static final String EXIT_FILE = "guest-exit";
    public static final String CONSOLE_LOG = "guest-console.log";

    private final Process qemu;
    private final Path out;
    private final long started = System.nanoTime();
    private volatile double bootSeconds = Double.NaN;
    private volatile String failure;
    private final Thread reader;
    private final List<String> command;

    private Guest(Process qemu, Path out, List<String> command, Consumer<String> console) throws IOException {
        this.qemu = qemu;
        this.out = out;
        this.command = command;
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(out.resolve(CONSOLE_LOG), StandardCharsets.UTF_8), true);
        reader = new Thread(() -> {
            try (log; BufferedReader lines = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String text = clean(line);
                    if (text.isBlank()) {
                        continue;
                    }
                    log.println(text);
                    if (text.startsWith(READY) && Double.isNaN(bootSeconds)) {
                        bootSeconds = (System.nanoTime() - started) / 1e9;
                    }
                    if (text.startsWith(FAILED)) {
                        failure = text.substring(FAILED.length()).replaceFirst("^:\\s*", "");
                    }
                    console.accept(text);
                }
            } catch (IOException e) {
                // QEMU went; its exit is what counts
            }
        }, "tcplab-guest-console");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Which accelerator to use: KVM where it can run a stock kernel, TCG (software emulation) only
     * when asked for. Fails with one line and the fix where KVM is missing, cannot be opened, or is
     * PVM (kvm_pvm: a pagetable-based nested hypervisor that runs only guest kernels built for it, so
     * a Debian kernel hangs in it right after decompression, as measured here).
     */
    public static String accelerator(Path kvm, boolean emulate) throws LabException {
        String slow = "or pass --emulate (make run-matrix EMULATE=yes) to run the guest under QEMU's software emulation, slower and with"
                + " its rates marked as emulated";
        if (emulate) {
            return "tcg";
        }
        if (!Files.exists(kvm)) {
            throw new LabException(kvm + " is missing: this machine offers no KVM", "enable virtualisation (VT-x or AMD-V) in the firmware,"
                    + " or nested virtualisation for this VM on its host (kvm_intel nested=1), then modprobe kvm_intel or kvm_amd; " + slow);
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            throw new LabException("cannot open " + kvm + " (permission denied)", "run as root or join the kvm group; " + slow);
        }
        if (Files.isDirectory(Path.of("/sys/module/kvm_pvm")) && !Files.isDirectory(Path.of("/sys/module/kvm_intel"))
                && !Files.isDirectory(Path.of("/sys/module/kvm_amd"))) {
            throw new LabException(kvm + " is PVM here (module kvm_pvm), which runs only guest kernels built for PVM, not Debian's",
                    "run on a machine with hardware virtualisation (kvm_intel or kvm_amd loaded), " + slow);
        }
        return "kvm";
    }

    /** The kernel command line: the serial console, quiet, no reboot on panic, and where the run folder is. */
    public static String bootParameters(Path out) {
        return "console=ttyS0 quiet loglevel=3 panic=-1 tcplab.out=" + out;
    }

    /** Boots {@code kernel} to run {@code out}/guest-run.sh; {@code console} gets the guest's console lines. */
    public static Guest start(Path qemuBinary, String accelerator, KernelPackage kernel, Path initramfs, Path out, Consumer<String> console)
            throws IOException, LabException {
        if (out.toString().contains(" ") || out.toString().contains(",")) {
            throw new LabException("the guest's run folder " + out + " has a space or comma, which QEMU's -virtfs and the kernel command"
                    + " line cannot carry", "use --reports with a plain path");
        }
        List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--", qemuBinary.toString(),
                "-accel", accelerator.equals("tcg") ? "tcg,thread=multi" : "kvm"));
        if (accelerator.equals("kvm")) {
            command.addAll(List.of("-cpu", "host"));
        }
        command.addAll(List.of("-m", Integer.toString(MEMORY_MIB), "-smp", Integer.toString(CPUS),
                "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "stdio", "-nic", "none",
                "-kernel", kernel.vmlinuz().toString(), "-initrd", initramfs.toString(), "-append", bootParameters(out),
                "-virtfs", "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=" + kernel.root() + ",mount_tag=kernel,security_model=none,readonly=on",
                "-virtfs", "local,path=" + out + ",mount_tag=out,security_model=none"));
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        return new Guest(qemu, out, command, console);
    }

    /** The QEMU command as started, for the matrix's metadata. */
    public List<String> command() {
        return command;
    }

    /** Whether the init said "ready". */
    public boolean booted() {
        return !Double.isNaN(bootSeconds);
    }

    /** Seconds from QEMU's start to the init's "ready" (root mounted, plan about to start); NaN if it never got there. */
    public double bootSeconds() {
        return bootSeconds;
    }

    /**
     * Waits for the guest to power off within {@code limit}; returns guest-run.sh's exit code. Fails
     * if the guest does not reach "ready" within {@link #BOOT_LIMIT}, if its init failed, or if it
     * powered off without an exit code.
     */
    public int await(Duration limit) throws LabException, InterruptedException {
        long deadline = started + limit.toNanos();
        long bootDeadline = started + BOOT_LIMIT.toNanos();
        while (!qemu.waitFor(200, TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            if (Double.isNaN(bootSeconds) && now - bootDeadline > 0) {
                close();
                throw new LabException("the guest did not boot within " + BOOT_LIMIT.toSeconds() + " s; its console's last line: "
                        + lastConsoleLine() + " (all of it: " + out.resolve(CONSOLE_LOG) + ")",
                        "check that KVM runs stock kernels here, or pass --emulate");
            }
            if (now - deadline > 0) {
                close();
                throw new LabException("the guest was stopped at its time limit of " + limit.toMinutes() + " min",
                        "give more with --time-limit, or a shorter plan");
            }
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new LabException("the guest's init failed: " + failure + " (see " + out.resolve(CONSOLE_LOG) + ")",
                    "check that the kernel package has 9p and virtio modules");
        }
        Path exit = out.resolve(EXIT_FILE);
        try {
            if (Files.isRegularFile(exit)) {
                return Integer.parseInt(Files.readString(exit).trim());
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: no usable exit code
        }
        throw new LabException("the guest stopped (QEMU exit " + qemu.exitValue() + ") before its run ended (see "
                + out.resolve(CONSOLE_LOG) + ")", "look at the console log's last lines");
    }

    private String lastConsoleLine() {
        try {
            List<String> lines = Files.readAllLines(out.resolve(CONSOLE_LOG));
            return lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    /** Kills QEMU (the guest keeps nothing that needs a clean shutdown: its only writes went to out/) and waits for it. */
    @Override
    public void close() {
        qemu.descendants().forEach(ProcessHandle::destroyForcibly);
        qemu.destroyForcibly();
        try {
            qemu.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A console line without terminal escapes (SeaBIOS clears the screen) or carriage returns. */
    static String clean(String line) {
        return line.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replaceAll("\u001Bc", "").replace("\r", "").strip();
    }
}
