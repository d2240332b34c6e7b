package tcplab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tcplab.report.ReportWriter;
import tcplab.results.RunFolder;

/** {@code tcplab report}: redraw charts and reports from a run folder's raw files alone. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Redraw the charts, results.csv and report.md/html of a run from its raw files; nothing is re-run.",
        footer = {"", "Example:", "  tcplab report reports/baseline/latest"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "a run folder, e.g. reports/baseline/latest, or a kernel matrix (reports/matrix/latest)")
    Path run;

    @Override
    public Integer call() throws Exception {
        if (Files.isRegularFile(run.resolve(tcplab.report.KernelMatrix.METADATA))) {
            tcplab.report.KernelMatrix.redraw(run.toRealPath());
            System.out.println(RunCommand.shown(run) + "/" + tcplab.report.KernelMatrix.HTML);
            return Main.OK;
        }
        if (!Files.isRegularFile(run.resolve(RunFolder.METADATA))) {
            throw new IllegalArgumentException(run + " is not a run folder (no " + RunFolder.METADATA
                    + ") (fix: give a folder printed by `make run-profile`, e.g. reports/baseline/latest)");
        }
        ReportWriter.write(new RunFolder(run.toRealPath()));
        System.out.println(RunCommand.shown(run) + "/report.html");
        return Main.OK;
    }
}
