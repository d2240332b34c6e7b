package tcplab.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * The guest's initramfs, a gzipped cpio ("newc", the format the kernel unpacks:
 * Documentation/driver-api/early-userspace/buffer-format.rst): the {@code guest/init} script as
 * /init, a static busybox, and just the modules that mounting a 9p root over virtio needs, with the
 * kernel's module index. Every other module is loaded later from the guest kernel's own folder.
 */
final class Initramfs {
    /** What the init script loads before it can mount anything; modprobe brings their dependencies. */
    static final List<String> BOOT_MODULES = List.of("virtio_pci", "9pnet_virtio", "9p");

    private Initramfs() {
    }

    static void write(Path out, Path busybox, Path modules, String release) throws IOException {
        Map<String, String> dep = modulesDep(Files.readString(modules.resolve("modules.dep")));
        Set<String> builtin = new LinkedHashSet<>();
        for (String line : Files.readAllLines(modules.resolve("modules.builtin"))) {
            builtin.add(name(line));
        }
        Set<String> files = new LinkedHashSet<>();
        List<String> load = new ArrayList<>();
        for (String m : BOOT_MODULES) {
            if (builtin.contains(m)) {
                continue;
            }
            String path = dep.keySet().stream().filter(p -> name(p).equals(m)).findFirst()
                    .orElseThrow(() -> new IOException("the guest kernel has no module " + m + ", which its 9p root needs"));
            load.add(m);
            closure(path, dep, files);
        }
        String base = "lib/modules/" + release + "/";
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out))) {
            Writer cpio = new Writer(gz);
            Set<String> dirs = new LinkedHashSet<>(List.of("bin", "lib", "lib/modules", base.substring(0, base.length() - 1)));
            for (String f : files) {
                String parent = base + f;
                List<String> chain = new ArrayList<>();
                for (int i = parent.lastIndexOf('/'); i > 0; i = parent.lastIndexOf('/', i - 1)) {
                    chain.add(0, parent.substring(0, i));
                }
                dirs.addAll(chain);
            }
            for (String d : dirs) {
                cpio.directory(d);
            }
            try (InputStream init = Initramfs.class.getResourceAsStream("/guest/init")) {
                cpio.file("init", 0755, init.readAllBytes());
            }
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.file("modules.load", 0644, (String.join("\n", load) + "\n").getBytes(StandardCharsets.UTF_8));
            for (String index : List.of("modules.dep", "modules.alias", "modules.builtin", "modules.symbols")) {
                if (Files.isRegularFile(modules.resolve(index))) {
                    cpio.file(base + index, 0644, Files.readAllBytes(modules.resolve(index)));
                }
            }
            for (String f : files) {
                cpio.file(base + f, 0644, Files.readAllBytes(modules.resolve(f)));
            }
            cpio.trailer();
        }
    }

    /** modules.dep ("kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko ...") as module path to its dependencies. */
    static Map<String, String> modulesDep(String text) {
        Map<String, String> dep = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                dep.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return dep;
    }

    /** "9p" of kernel/fs/9p/9p.ko (or .ko.xz); modprobe treats - and _ alike. */
    static String name(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int ko = file.indexOf(".ko");
        return (ko >= 0 ? file.substring(0, ko) : file).replace('-', '_').toLowerCase(Locale.ROOT);
    }

    private static void closure(String path, Map<String, String> dep, Set<String> into) {
        if (!into.add(path)) {
            return;
        }
        for (String d : dep.getOrDefault(path, "").split("\\s+")) {
            if (!d.isBlank()) {
                closure(d, dep, into);
            }
        }
    }

    /** cpio "newc": a 110-byte ASCII header, the name, the data, each padded to 4 bytes. */
    static final class Writer {
        private final OutputStream out;
        private int ino = 1;
        private long written;

        Writer(OutputStream out) {
            this.out = out;
        }

        void directory(String name) throws IOException {
            entry(name, 040755, new byte[0]);
        }

        void file(String name, int mode, byte[] data) throws IOException {
            entry(name, 0100000 | mode, data);
        }

        void trailer() throws IOException {
            entry("TRAILER!!!", 0, new byte[0]);
        }

        private void entry(String name, int mode, byte[] data) throws IOException {
            byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
            String header = String.format(Locale.ROOT, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
                    mode == 0 ? 0 : ino++, mode, 0, 0, (mode & 040000) != 0 ? 2 : 1, 0, data.length, 0, 0, 0, 0, n.length, 0);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(header.getBytes(StandardCharsets.US_ASCII));
            b.write(n);
            pad(b, written + b.size());
            b.write(data);
            pad(b, written + b.size());
            out.write(b.toByteArray());
            written += b.size();
        }

        private static void pad(ByteArrayOutputStream b, long at) {
            for (long i = at; i % 4 != 0; i++) {
                b.write(0);
            }
        }
    }
}
