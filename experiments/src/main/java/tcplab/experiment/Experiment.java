package tcplab.experiment;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcplab.lab.NetworkPath;

/**
 * One experiment, one job. A subclass names the claims it tests, declares its parameters and its
 * time bound, documents the kernel model it compares against, and has three sides:
 * <ol>
 *   <li>{@link #run}: in the lab's JVM, with fresh client and server hosts, starting agents and
 *       servers in them and writing raw rows as it goes;</li>
 *   <li>{@link #agent}: code that must run inside one of the hosts (sockets live in a namespace),
 *       started by the run side as its own process;</li>
 *   <li>{@link #claims}: offline, a pure function of the raw files: the claims.csv rows, with
 *       nothing drawn or written, so a comparison can use them alone and recorded fixtures test
 *       them without a kernel;</li>
 *   <li>{@link #report}: offline, from the raw files and those claims: charts and the report
 *       section's prose. Redrawing a report gives the same result.</li>
 * </ol>
 * Each experiment has a package of its own: the experiment (descriptor and run side), its agents,
 * its typed raw rows ({@link RawTable}) and messages ({@link Message}), its claims and its report.
 */
public abstract class Experiment {

    /** The name plans use, e.g. {@code port-exhaustion}. */
    public abstract String name();

    /** A heading for the report. */
    public abstract String title();

    /** The claims (docs/claims.md) this experiment tests, e.g. C3, C4. */
    public abstract List<String> claims();

    public abstract List<Parameter> parameters();

    /** Commands beyond the lab's own that this experiment runs, each with its Debian package: checked before a run starts. */
    public Map<String, String> commands() {
        return Map.of();
    }

    /** The paths a plan may ask for; most experiments need the two hosts joined by veth. */
    public List<NetworkPath> paths() {
        return List.of(NetworkPath.VETH);
    }

    /**
     * Whether this experiment can run between two real machines ({@code tcplab run --remote}): null
     * when it can, else why not, as the run's skipped row says. Every experiment declares it: one that
     * cuts the link, drops all of the server's packets, or needs the empty socket tables of fresh
     * namespaces cannot.
     */
    public abstract String oneMachineOnly();

    /**
     * Whether its result is a time or an event ({@link Pace#TIMER}: it may run beside other such
     * configurations) or a rate or a cost ({@link Pace#CPU}: it runs alone). Every experiment declares it.
     */
    public abstract Pace pace();

    /** How long a configuration should take, for progress and plan totals. */
    public abstract Duration expected(Params params);

    /**
     * The same, for experiments whose duration follows the sysctls a plan sweeps (e.g. tcp_syn_retries);
     * a sysctl the plan leaves alone is not in {@code sysctls}, and the kernel default applies.
     */
    public Duration expected(Params params, Map<String, String> sysctls) {
        return expected(params);
    }

    /**
     * The part of {@link #expected(Params, Map)} that is this machine's work rather than a wait or a
     * fixed measuring time; the estimate scales it by {@code tcplab.plan.MachineSpeed}. A CPU-bound
     * experiment's is all of it unless it says otherwise; a timer-bound one's is none (what its
     * start-ups cost is counted by the schedule, per configuration side by side).
     */
    public Duration work(Params params, Map<String, String> sysctls) {
        return pace() == Pace.CPU ? expected(params, sysctls) : Duration.ZERO;
    }

    /** The hard bound: past it the configuration's processes are killed and it is reported as timed out. */
    public Duration bound(Params params) {
        return expected(params).multipliedBy(2).plusSeconds(30);
    }

    /** The hard bound for a configuration with these sysctls: never below {@link #bound(Params)}. */
    public Duration bound(Params params, Map<String, String> sysctls) {
        Duration bySysctls = expected(params, sysctls).multipliedBy(2).plusSeconds(30);
        return bySysctls.compareTo(bound(params)) > 0 ? bySysctls : bound(params);
    }

    /** Runs one configuration in fresh hosts; throws to report it as failed. */
    public abstract void run(Trial trial) throws Exception;

    /** Runs one role inside a host. Only experiments that start agents override this. */
    public void agent(Agent agent) throws Exception {
        throw new IllegalArgumentException(name() + " starts no agents, so it has no role '" + agent.role() + "'");
    }

    /**
     * The claims.csv rows of this experiment's configurations, from their raw files alone: nothing is
     * drawn or written ({@link ExperimentData#charts} refuses).
     */
    public abstract List<Claim> claims(ExperimentData data) throws IOException;

    /** The report section: prose and charts from the raw files, beside {@code claims} (what {@link #claims} gave). */
    public abstract Section report(ExperimentData data, List<Claim> claims) throws IOException;

    /** The given parameter values with every default filled in; refuses unknown names and bad values. */
    public final Params params(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            values.put(p.name(), given.getOrDefault(p.name(), p.defaultValue()));
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            Parameter p = parameter(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(name() + " has no parameter '" + e.getKey() + "'");
            }
            String problem = p.problem(e.getValue());
            if (problem != null) {
                throw new IllegalArgumentException(name() + " parameter " + p.name() + ": " + problem);
            }
        }
        return new Params(values);
    }

    public final Parameter parameter(String name) {
        return parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }
}
