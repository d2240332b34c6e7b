package tcplab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Naming Debian's kernel packages, and the initramfs format, from fixtures (the real boot is KernelMatrixTest's). */
class KernelPackageTest {
    @TempDir
    Path dir;

    /** Lines as `apt-cache pkgnames linux-image-` printed them on Debian 12, shuffled. */
    static final String PKGNAMES = String.join("\n", "linux-image-6.1.0-9-amd64", "linux-image-6.1.0-57-amd64",
            "linux-image-6.1.0-57-cloud-amd64", "linux-image-6.1.0-57-rt-amd64", "linux-image-6.1.0-57-amd64-dbg",
            "linux-image-6.1.0-56-amd64-unsigned", "linux-image-6.12.117+deb12-amd64", "linux-image-6.12.9+deb12-amd64",
            "linux-image-amd64", "linux-image-cloud-amd64", "linux-image-6.1.0-57-686-pae");

    @Test
    void onlyTheGenericAmd64ImagesCountAndTheNewestOfAVersionSortsLast() {
        List<String> generic = KernelPackage.generic(PKGNAMES);
        assertEquals(List.of("linux-image-6.1.0-9-amd64", "linux-image-6.1.0-57-amd64", "linux-image-6.12.9+deb12-amd64",
                "linux-image-6.12.117+deb12-amd64"), generic);
        assertEquals("6.1", KernelPackage.majorMinor("linux-image-6.1.0-57-amd64"));
        assertEquals("6.12", KernelPackage.majorMinor("linux-image-6.12.117+deb12-amd64"));
    }

    @Test
    void modulesDepGivesEachModuleItsDependenciesAndNamesIgnoreCompressionAndDashes() {
        Map<String, String> dep = Initramfs.modulesDep("kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko\n"
                + "kernel/net/9p/9pnet.ko:\n");
        assertEquals("kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko", dep.get("kernel/fs/9p/9p.ko"));
        assertEquals("", dep.get("kernel/net/9p/9pnet.ko"));
        assertEquals("virtio_pci", Initramfs.name("kernel/drivers/virtio/virtio-pci.ko.xz"));
    }

    @Test
    void theInitramfsIsANewcArchiveWithItsDirectoriesBeforeTheirFiles() throws Exception {
        Path modules = Files.createDirectories(dir.resolve("lib/modules/6.1.0-test"));
        Files.writeString(modules.resolve("modules.dep"), "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko\n"
                + "kernel/drivers/virtio/virtio.ko:\nkernel/net/9p/9pnet_virtio.ko: kernel/drivers/virtio/virtio.ko\nkernel/fs/9p/9p.ko:\n");
        Files.writeString(modules.resolve("modules.builtin"), "kernel/fs/9p/9p.ko\n");
        for (String ko : List.of("kernel/drivers/virtio/virtio_pci.ko", "kernel/drivers/virtio/virtio.ko", "kernel/net/9p/9pnet_virtio.ko")) {
            Files.createDirectories(modules.resolve(ko).getParent());
            Files.writeString(modules.resolve(ko), "ELF " + ko);
        }
        Path busybox = Files.writeString(dir.resolve("busybox"), "not really busybox");
        Path out = dir.resolve("initramfs.cpio.gz");
        Initramfs.write(out, busybox, modules, "6.1.0-test");

        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            in.transferTo(raw);
        }
        byte[] b = raw.toByteArray();
        List<String> names = new java.util.ArrayList<>();
        int at = 0;
        while (at < b.length) {
            String header = new String(b, at, 110, StandardCharsets.US_ASCII);
            assertTrue(header.startsWith("070701"), "a newc header at " + at);
            int size = Integer.parseInt(header.substring(54, 62), 16);
            int nameSize = Integer.parseInt(header.substring(94, 102), 16);
            String name = new String(b, at + 110, nameSize - 1, StandardCharsets.UTF_8);
            names.add(name);
            at = align(align(at + 110 + nameSize) + size);
            if (name.equals("TRAILER!!!")) {
                break;
            }
        }
        assertEquals(List.of("bin", "lib", "lib/modules", "lib/modules/6.1.0-test", "lib/modules/6.1.0-test/kernel",
                "lib/modules/6.1.0-test/kernel/drivers", "lib/modules/6.1.0-test/kernel/drivers/virtio", "lib/modules/6.1.0-test/kernel/net",
                "lib/modules/6.1.0-test/kernel/net/9p", "init", "bin/busybox", "modules.load", "lib/modules/6.1.0-test/modules.dep",
                "lib/modules/6.1.0-test/modules.builtin", "lib/modules/6.1.0-test/kernel/drivers/virtio/virtio_pci.ko",
                "lib/modules/6.1.0-test/kernel/drivers/virtio/virtio.ko", "lib/modules/6.1.0-test/kernel/net/9p/9pnet_virtio.ko",
                "TRAILER!!!"), names, "9p is built in here, so neither it nor its dependencies are carried");
        String archive = new String(b, StandardCharsets.ISO_8859_1);
        assertTrue(archive.contains("virtio_pci\n9pnet_virtio\n"), "modules.load lists what init loads, builtins left out");
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }
}
