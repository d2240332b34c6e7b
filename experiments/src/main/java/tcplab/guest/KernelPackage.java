package tcplab.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.lab.LabException;
import tcplab.lab.Processes;
import tcplab.results.RunFolder;

/**
 * A guest kernel from Debian's own {@code linux-image-*} packages, fetched by apt and nowhere else,
 * unpacked once into a cache folder ({@code ~/.cache/tcplab/kernels/PACKAGE/}) with its modules
 * indexed (busybox depmod); its initramfs ({@link Initramfs}) is made beside it. A later run reuses both.
 *
 * @param name the package, e.g. linux-image-6.1.0-56-amd64
 * @param version the package's version, e.g. 6.1.192-2
 * @param release the kernel's release (uname -r), e.g. 6.1.0-56-amd64
 * @param root the unpacked package: boot/vmlinuz-RELEASE, boot/config-RELEASE, lib/modules/RELEASE/
 */
public record KernelPackage(String name, String version, String release, Path root) {
    /** The generic x86-64 flavour: not -cloud- (no 9p), -rt-, -dbg or -unsigned. */
    private static final Pattern GENERIC = Pattern.compile("linux-image-((\\d+)\\.(\\d+)[.0-9]*[-+][-+.0-9a-z]*?)-amd64");
    private static final Duration APT = Duration.ofMinutes(10);

    public Path vmlinuz() {
        return root.resolve("boot/vmlinuz-" + release);
    }

    public Path config() {
        return root.resolve("boot/config-" + release);
    }

    public Path modules() {
        return root.resolve("lib/modules/" + release);
    }

    /**
     * The initramfs for this kernel and this tcplab's init script, made now if the cache has none for
     * them: named by a hash of the script and busybox, so a changed script never boots an old one.
     */
    public Path initramfs(Path busybox) throws IOException {
        String hash;
        try (var init = KernelPackage.class.getResourceAsStream("/guest/init")) {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(init.readAllBytes());
            sha.update(Files.readAllBytes(busybox));
            hash = java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path file = root.getParent().resolve("initramfs-" + hash + ".cpio.gz");
        if (!Files.isRegularFile(file)) {
            try (var old = Files.list(root.getParent())) {
                for (Path f : old.filter(f -> f.getFileName().toString().startsWith("initramfs-")).toList()) {
                    Files.delete(f);
                }
            }
            Path partial = root.getParent().resolve(".initramfs.partial");
            Initramfs.write(partial, busybox, modules(), release);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** The cache: $TCPLAB_CACHE, else $XDG_CACHE_HOME/tcplab, else ~/.cache/tcplab; kernels in its kernels/. */
    public static Path cache() {
        String own = System.getenv("TCPLAB_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own).resolve("kernels");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tcplab").resolve("kernels");
    }

    /**
     * The package for a kernel name: "6.1" is the newest generic linux-image-6.1.* apt knows, a full
     * package name is itself. Unknown names fail with the versions apt does have.
     */
    public static String resolve(String kernel) throws LabException {
        if (!kernel.matches("[0-9]+\\.[0-9]+|linux-image-[-+.0-9a-z]+")) {
            throw new IllegalArgumentException("'" + kernel + "' is not a kernel name (fix: name a Debian kernel by its version, like 6.1,"
                    + " or by its package, like linux-image-6.1.0-56-amd64; host is this machine's kernel)");
        }
        List<String> known = generic(Processes.run(List.of("apt-cache", "pkgnames", "linux-image-"), null, APT));
        if (kernel.startsWith("linux-image-")) {
            if (!known.contains(kernel)) {
                throw new IllegalArgumentException("apt has no package " + kernel + " (fix: apt-get update, or use one of: " + versions(known) + ")");
            }
            return kernel;
        }
        return known.stream().filter(p -> majorMinor(p).equals(kernel)).max(KernelPackage::byVersion)
                .orElseThrow(() -> new IllegalArgumentException("apt has no Debian kernel package for " + kernel + " (linux-image-" + kernel
                        + ".*-amd64) (fix: use one of: " + versions(known) + "; apt-get update if the list is old)"));
    }

    /** The generic amd64 kernel images among apt's package names. */
    static List<String> generic(String pkgnames) {
        List<String> out = new ArrayList<>();
        for (String line : pkgnames.split("\n")) {
            String p = line.trim();
            if (GENERIC.matcher(p).matches() && !p.contains("-cloud-") && !p.contains("-rt-") && !p.endsWith("-dbg")) {
                out.add(p);
            }
        }
        out.sort(KernelPackage::byVersion);
        return out;
    }

    /** "6.1" of linux-image-6.1.0-56-amd64. */
    static String majorMinor(String pkg) {
        Matcher m = GENERIC.matcher(pkg);
        return m.matches() ? m.group(2) + "." + m.group(3) : "";
    }

    /** By the numbers in the name, so 6.1.0-9 sorts before 6.1.0-56. */
    static int byVersion(String a, String b) {
        String[] x = a.replaceAll("[^0-9]+", " ").trim().split(" ");
        String[] y = b.replaceAll("[^0-9]+", " ").trim().split(" ");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static String versions(List<String> known) {
        List<String> v = known.stream().map(KernelPackage::majorMinor).distinct().toList();
        return v.isEmpty() ? "none (apt knows no linux-image-*-amd64: apt-get update)" : String.join(", ", v);
    }

    /**
     * The unpacked package, from the cache or fetched now: apt-get download, dpkg-deb -x, busybox
     * depmod, then the initramfs. Built in a .partial folder and renamed when complete, so an
     * interrupted fetch is never taken for a finished one.
     */
    public static KernelPackage prepare(String pkg, Path cache, Path busybox, Consumer<String> say) throws LabException, IOException {
        Path dir = cache.resolve(pkg);
        Path done = dir.resolve("package.txt");
        if (!Files.isRegularFile(done)) {
            Path partial = cache.resolve(pkg + ".partial");
            RunFolder.deleteTree(partial);
            Files.createDirectories(partial);
            say.accept("tcplab: fetching " + pkg + " with apt (once; kept in " + dir + ")");
            Processes.run(List.of("apt-get", "download", "-q", pkg), null, APT, partial);
            Path deb;
            try (var files = Files.list(partial)) {
                deb = files.filter(f -> f.toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new LabException("apt-get download " + pkg + " wrote no .deb", "run it by hand to see why"));
            }
            String version = Processes.run(List.of("dpkg-deb", "-f", deb.toString(), "Version"), null, APT).trim();
            Processes.run(List.of("dpkg-deb", "-x", deb.toString(), partial.resolve("root").toString()), null, APT);
            Files.delete(deb);
            String release;
            try (var names = Files.list(partial.resolve("root/lib/modules"))) {
                release = names.map(p -> p.getFileName().toString()).findFirst()
                        .orElseThrow(() -> new LabException(pkg + " holds no lib/modules/RELEASE", "name a linux-image package"));
            }
            Processes.run(List.of(busybox.toString(), "depmod", "-b", partial.resolve("root").toString(), release), null, APT);
            KernelPackage k = new KernelPackage(pkg, version, release, dir.resolve("root"));
            Files.writeString(partial.resolve("package.txt"), pkg + "\n" + version + "\n" + release + "\n");
            RunFolder.deleteTree(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            return k;
        }
        List<String> lines = Files.readAllLines(done);
        return new KernelPackage(lines.get(0), lines.get(1), lines.get(2), dir.resolve("root"));
    }
}
