package tcplab.experiment;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every experiment's declarations are usable: unique names, real claims, defaults that pass their own checks. */
class ExperimentCatalogTest {
    @Test
    void everyExperimentDeclaresItselfConsistently() {
        Set<String> names = new HashSet<>();
        Set<String> claims = new java.util.TreeSet<>();
        for (Experiment e : ExperimentCatalog.all()) {
            claims.addAll(e.claims());
            assertTrue(names.add(e.name()), "unique name " + e.name());
            assertTrue(e.name().matches("[a-z][a-z-]*"), e.name());
            assertTrue(!e.title().isBlank() && !e.paths().isEmpty(), e.name());
            for (String claim : e.claims()) {
                assertTrue(claim.matches("C([1-9]|1[0-3])"), e.name() + " names claim " + claim + " of docs/claims.md");
            }
            for (Parameter p : e.parameters()) {
                assertNull(p.problem(p.defaultValue()), e.name() + "." + p.name() + " default must pass its own check");
                assertTrue(!p.description().isBlank(), e.name() + "." + p.name());
            }
            Params defaults = e.params(Map.of());
            assertTrue(e.expected(defaults).toMillis() > 0 && e.bound(defaults).compareTo(e.expected(defaults)) > 0, e.name());
            assertThrows(IllegalArgumentException.class, () -> e.params(Map.of("noSuchParameter", "1")));
        }
        assertTrue(claims.containsAll(Set.of("C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13")),
                "claims with an experiment: " + claims);
    }

    @Test
    void experimentsThatDropPacketsOrLimitDescriptorsSayWhatTheyRun() throws Exception {
        // what a run checks before it starts: the source that runs nft or prlimit must declare it
        for (Experiment e : ExperimentCatalog.all()) {
            // the experiment's whole package: its agents may be the ones that run them
            java.nio.file.Path pkg = tcplab.testing.Cli.HOME.resolve("experiments/src/main/java/" + e.getClass().getPackageName().replace('.', '/'));
            StringBuilder source = new StringBuilder();
            try (var files = java.nio.file.Files.list(pkg)) {
                for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    source.append(java.nio.file.Files.readString(f));
                }
            }
            assertTrue(!source.toString().contains("Firewall.") || e.commands().containsKey("nft"), e.name() + " drops packets with nft");
            assertTrue(!source.toString().contains("prlimit") || e.commands().containsKey("prlimit"), e.name() + " runs prlimit");
        }
    }

    @Test
    void parametersRefuseValuesOutsideTheirDeclaration() {
        Parameter choice = Parameter.choice("closeMode", "how", "CLIENT_FIN", "CLIENT_RST");
        assertTrue(choice.problem("CLIENT_LINGER").contains("is not one of CLIENT_FIN, CLIENT_RST"));
        Parameter number = Parameter.integer("seconds", 10, 1, 3600, "how long");
        assertTrue(number.problem("0").contains("out of range 1 to 3600"));
        assertTrue(number.problem("ten").contains("not a whole number"));
        assertNull(number.problem("60"));
    }
}
