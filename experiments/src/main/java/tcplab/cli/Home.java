package tcplab.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tcplab checkout: where profiles, plans, reports and benchmarks.jar are. Found from the
 * {@code tcplab.home} property, else upwards from the working directory, else from tcplab.jar.
 */
final class Home {
    private final Path root;

    private Home(Path root) {
        this.root = root;
    }

    static Home find() {
        String property = System.getProperty("tcplab.home");
        if (property != null && !property.isBlank()) {
            return new Home(Path.of(property).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isHome(dir)) {
                return new Home(dir);
            }
        }
        try {
            Path jar = Path.of(Home.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                if (isHome(dir)) {
                    return new Home(dir);
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return new Home(Path.of("").toAbsolutePath());
    }

    private static boolean isHome(Path dir) {
        return Files.isDirectory(dir.resolve("sysctl-profiles")) && Files.isDirectory(dir.resolve("experiments"));
    }

    Path root() {
        return root;
    }

    Path profiles() {
        return root.resolve("sysctl-profiles");
    }

    Path plans() {
        return root.resolve("experiments/plans");
    }

    Path reports() {
        return root.resolve("reports");
    }

    Path benchmarksJar() {
        return root.resolve("benchmarks/target/benchmarks.jar");
    }

    /** A profile name (baseline) or a path to a .conf file. */
    Path profile(String nameOrPath) {
        return isPath(nameOrPath, ".conf") ? Path.of(nameOrPath) : profiles().resolve(nameOrPath + ".conf");
    }

    /** A plan name (quick) or a path to a .json file. */
    Path plan(String nameOrPath) {
        return isPath(nameOrPath, ".json") ? Path.of(nameOrPath) : plans().resolve(nameOrPath + ".json");
    }

    private static boolean isPath(String s, String extension) {
        return s.contains("/") || s.endsWith(extension);
    }
}
