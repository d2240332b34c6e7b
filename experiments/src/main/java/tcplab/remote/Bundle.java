package tcplab.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import tcplab.lab.LabException;
import tcplab.lab.Processes;
import tcplab.lab.Ssh;

/**
 * tcplab as this JVM runs it, ready to copy: its class path entries (tcplab.jar alone when started
 * from it; the build's class folders and the jars of ~/.m2 under Maven's tests), named 0, 1, 2...
 * there, with a sha256sum manifest of every file, so the other machine can check that it has the
 * same bytes. The digest of that manifest names the copy.
 */
record Bundle(List<Path> entries, String manifest, String digest) {
    static final String MANIFEST = "MANIFEST.sha256";

    static Bundle of(String classPath) throws LabException {
        List<Path> entries = new ArrayList<>();
        StringBuilder manifest = new StringBuilder();
        try {
            for (String e : classPath.split(java.io.File.pathSeparator)) {
                Path p = Path.of(e).toAbsolutePath();
                if (!Files.exists(p)) {
                    continue; // a class path may name what is not there; the JVM skips it too
                }
                String name = Integer.toString(entries.size()) + (Files.isDirectory(p) ? "" : ".jar");
                entries.add(p);
                if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.walk(p)) {
                        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                            manifest.append(sha256(f)).append("  ./").append(name).append('/').append(p.relativize(f)).append('\n');
                        }
                    }
                } else {
                    manifest.append(sha256(p)).append("  ./").append(name).append('\n');
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read tcplab's own files to copy them: " + e.getMessage(), "run `make build`", e);
        }
        return new Bundle(List.copyOf(entries), manifest.toString(), tcplab.results.Metadata.sha256(manifest.toString()));
    }

    /** The class path there, for the copy in {@code dir}. */
    String classPath(String dir) {
        List<String> there = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            there.add(dir + "/" + i + (Files.isDirectory(entries.get(i)) ? "" : ".jar"));
        }
        return String.join(":", there);
    }

    /**
     * One tar stream over the connection into {@code dir.partial}, checked there against the manifest,
     * then renamed to {@code dir}: a copy cut short is never taken for a complete one.
     */
    void upload(Ssh ssh, String dir) throws LabException {
        Path staging;
        try {
            staging = Files.createTempDirectory("tcplab-bundle-");
        } catch (IOException e) {
            throw new LabException("cannot stage tcplab's files: " + e.getMessage(), null, e);
        }
        try {
            for (int i = 0; i < entries.size(); i++) {
                Path e = entries.get(i);
                Files.createSymbolicLink(staging.resolve(i + (Files.isDirectory(e) ? "" : ".jar")), e);
            }
            Files.writeString(staging.resolve(MANIFEST), manifest);
            String unpack = "rm -rf \"$1.partial\" && mkdir -p \"$1.partial\" && tar -C \"$1.partial\" -xf - && cd \"$1.partial\" &&"
                    + " sha256sum -c --quiet " + MANIFEST + " && cd / && rm -rf \"$1\" && mv \"$1.partial\" \"$1\"";
            List<String> remote = ssh.command(List.of("sh", "-c", unpack, "sh", dir));
            Process tar = new ProcessBuilder("tar", "-C", staging.toString(), "-chf", "-", ".").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Process receive = new ProcessBuilder(remote).redirectErrorStream(true).start();
            String said;
            try (Processes.Deadline bound = Processes.deadline(Duration.ofMinutes(10), tar, receive)) {
                try (InputStream from = tar.getInputStream(); var to = receive.getOutputStream()) {
                    from.transferTo(to);
                } catch (IOException brokenPipe) {
                    // the other side stopped reading: what it said is the reason
                }
                said = new String(receive.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            }
            Processes.waitOrKill(tar, Duration.ofMinutes(1));
            if (Processes.waitOrKill(receive, Duration.ofMinutes(5)) != 0) {
                throw new LabException("cannot copy tcplab to " + ssh.destination() + ":" + dir + ": "
                        + said.lines().reduce((a, b) -> b).orElse("tar or sha256sum failed there"), "check the space and permissions there");
            }
        } catch (IOException e) {
            throw new LabException("cannot copy tcplab to " + ssh.destination() + ": " + e.getMessage(), null, e);
        } finally {
            RemoteMachine.deleteTree(staging);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
