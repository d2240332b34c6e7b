package tcplab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tcplab.experiment.Agent;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.Params;

/** Internal: one role of an experiment, started by the lab inside one of its hosts. */
@Command(name = "agent", hidden = true, description = "Internal: run one role of an experiment inside a lab host.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--experiment", required = true)
    String experiment;

    @Option(names = "--role", required = true)
    String role;

    @Option(names = "--id", required = true)
    String id;

    @Option(names = "--raw", required = true)
    Path raw;

    @Option(names = "--deadline", required = true)
    long deadline;

    @Option(names = "--param")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Experiment e = ExperimentCatalog.find(experiment);
        if (e == null) {
            throw new IllegalArgumentException("no experiment '" + experiment + "'");
        }
        Agent agent = new Agent(role, id, raw, Params.of(params), deadline);
        try {
            e.agent(agent);
        } catch (Exception failure) {
            agent.error(String.valueOf(failure));
            throw failure;
        }
        return Main.OK;
    }
}
