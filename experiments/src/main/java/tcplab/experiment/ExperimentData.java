package tcplab.experiment;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import tcplab.chart.Figures;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/** One experiment's configurations in a run folder, read back from the raw files for its report. */
public final class ExperimentData {
    private final RunData data;
    private final Experiment experiment;
    private final Figures charts;

    public ExperimentData(RunData data, Experiment experiment) {
        this(data, experiment, Figures.forRun(data, data.folder().file("charts")));
    }

    /** The same with the charts drawn into {@code charts}; null for claims, which draw nothing. */
    public ExperimentData(RunData data, Experiment experiment, Figures charts) {
        this.data = data;
        this.experiment = experiment;
        this.charts = charts;
    }

    public Experiment experiment() {
        return experiment;
    }

    /** This experiment's configurations, in the order they ran. */
    public List<RunData.Result> trials() {
        return data.results().stream().filter(r -> r.isExperiment() && r.name().equals(experiment.name())).toList();
    }

    /** The rows of {@code raw/ID.NAME.csv}; empty when the configuration wrote none. */
    List<Map<String, String>> rows(RunData.Result trial, String name) throws IOException {
        return data.rows(trial, name);
    }

    /** The experiment's parameters for a configuration, defaults filled in. */
    public Params params(RunData.Result trial) {
        return experiment.params(trial.params());
    }

    /**
     * Where a claims.csv row comes from: the configuration's id, and its conditions: the path, the
     * experiment's parameters, and the named sysctls as read back in effect, by full name.
     */
    public Claim.Where where(RunData.Result trial, String... sysctls) {
        List<String> pairs = new java.util.ArrayList<>();
        pairs.add("path=" + trial.path());
        params(trial).asMap().forEach((k, v) -> pairs.add(k + "=" + v));
        for (String key : sysctls) {
            String value = trial.sysctls().get(key);
            if (value != null) {
                pairs.add(key + "=" + value);
            }
        }
        return new Claim.Where(trial.id(), String.join(";", pairs));
    }

    /** A short label for charts: the overrides and parameters that vary, and the path. */
    public String label(RunData.Result trial) {
        return trial.label();
    }

    /** Where charts go, with their footer and colours; claims draw none, so theirs is no folder at all. */
    public Figures charts() {
        if (charts == null) {
            throw new IllegalStateException(experiment.name() + ": claims are a pure function of the raw files and draw nothing");
        }
        return charts;
    }

    /**
     * CONFIG_HZ of the kernel the run measured, from its metadata; a run recorded without it gets
     * 100, whose timer granules are the coarsest of the usual rates, so bands drawn from it are wide
     * rather than wrong.
     */
    /** The CPUs of the machine the run measured, from its metadata; 1 when it did not record them. */
    public int cpus() {
        return Math.max(1, data.metadata().path("machine").path("cpus").asInt(1));
    }

    /**
     * The round trip of the path the run measured, in seconds: a two-machine run's, as measured at its
     * start (median TCP handshake); 0 for a namespace lab, whose veth round trip (tens of µs) no model
     * here can see.
     */
    public double pathRttSeconds() {
        return data.metadata().path("remote").path("rttAtStart").path("rttMs").asDouble(0) / 1000;
    }

    public int hz() {
        int hz = data.metadata().path("machine").path("kernelHz").asInt(0);
        return hz > 0 ? hz : 100;
    }

    /** The HZ the bands used, as a row says it: recorded, or assumed and said so. */
    public String hzText() {
        int hz = data.metadata().path("machine").path("kernelHz").asInt(0);
        return hz > 0 ? "CONFIG_HZ = " + hz : "CONFIG_HZ = 100 (assumed: this run did not record it)";
    }

    public String profile() {
        return data.metadata().path("profile").path("name").asText();
    }

    /**
     * The segments of a configuration's capture {@code raw/ID.NAME.pcap} ({@link Trial#capture} wrote
     * it), as seen from the client of {@code serverPort}; a missing or empty capture says why.
     */
    public tcplab.results.Packets.Connection capture(RunData.Result trial, String name, int serverPort) {
        return tcplab.results.Packets.read(data.folder().raw(trial.id(), "." + name + ".pcap"), serverPort);
    }

    public RunFolder folder() {
        return data.folder();
    }
}
