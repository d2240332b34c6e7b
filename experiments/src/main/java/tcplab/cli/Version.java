package tcplab.cli;

import picocli.CommandLine;
import tcplab.results.Metadata;

/** {@code tcplab --version}: the build's version and the checkout's commit. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        var tcplab = Metadata.tcplab(Home.find().root());
        return new String[] {"tcplab " + tcplab.path("version").asText() + " (" + tcplab.path("commit").asText() + ")",
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("java.vm.name")};
    }
}
