package tcplab.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** What the running kernel was built with, where it says: /proc/config.gz, or /boot/config-RELEASE. */
public final class KernelConfig {
    private KernelConfig() {
    }

    /** CONFIG_HZ, the jiffy rate that sets the timer wheel's granules; 0 when the kernel does not say. */
    public static int hz() {
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            release = "";
        }
        for (Path config : new Path[] {Path.of("/proc/config.gz"), Path.of("/boot/config-" + release)}) {
            if (!Files.isReadable(config)) {
                continue;
            }
            try (InputStream raw = Files.newInputStream(config);
                 InputStream in = config.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("CONFIG_HZ=")) {
                        return Integer.parseInt(line.substring(10).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // unreadable: try the next place
            }
        }
        return 0;
    }
}
