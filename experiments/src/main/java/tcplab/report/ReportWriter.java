package tcplab.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import tcplab.chart.Figures;
import tcplab.chart.Markdown;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.kernel.TcpModel;
import tcplab.profile.ProfileException;
import tcplab.profile.ProfileParser;
import tcplab.results.Format;
import tcplab.results.JmhResult;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.socket.FailureCause;

/**
 * Derives everything readable from a run folder's raw files: results.csv, the charts, report.md
 * and a self-contained report.html. Running it again on the same folder gives the same files;
 * it never changes a raw file.
 */
public final class ReportWriter {
    public static final String RESULTS = "results.csv";
    public static final String REPORT_MD = "report.md";
    public static final String REPORT_HTML = "report.html";

    private static final String[] RESULT_COLUMNS = {
        "id", "benchmark", "mode", "path", "threads", "repetition", "conditions", "status",
        "ok_per_s", "ok_error_per_s", "attempts_per_s", "p50_us", "p90_us", "p99_us", "p99_9_us", "max_us",
        "measured_ok", "addrNotAvailable", "refused", "timedOut", "reset", "other",
        "client_time_wait_end", "server_time_wait_end", "client_active_opens", "server_passive_opens",
        "client_tw_entered", "client_tw_recycled", "listen_overflows", "listen_drops",
        "client_retrans_segs", "server_retrans_segs", "client_out_rsts", "server_out_rsts", "server_accepted", "server_resets",
        "client_cpu_us_per_cycle", "server_cpu_us_per_cycle"
    };

    private ReportWriter() {
    }

    /** Writes everything derived; returns the figures it drew. */
    public static Figures write(RunFolder folder) throws IOException {
        System.setProperty("java.awt.headless", "true");
        RunData data = RunData.load(folder);
        writeResults(data, folder.file(RESULTS));
        String profile = data.metadata().path("profile").path("name").asText();
        Figures charts = Figures.forRun(data, folder.file(Charts.DIR)).async();
        List<Group> throughput = Group.of(data.results(), "ConnectCloseBenchmark", "thrpt");
        List<Group> latency = Group.of(data.results(), "ConnectCloseBenchmark", "sample");
        List<Group> reuse = Group.of(data.results(), "ConnectionReuseBenchmark", "thrpt");
        List<Group> reuseLatency = Group.of(data.results(), "ConnectionReuseBenchmark", "sample");
        List<Section> sections = sections(data, charts);
        Figures benchmarks = charts.scaled(List.of()); // the benchmarks run at the profile's own values
        for (Section section : sections) {
            writeReproducePlan(folder, section.experiment());
        }
        writeClaims(sections, folder.file(RunFolder.CLAIMS));
        List<Glance> glance = glance(sections, throughput);
        String md = markdown(data, throughput, latency, reuse, reuseLatency,
                Charts.throughput(throughput, profile, benchmarks),
                Charts.iterations(throughput, profile, benchmarks),
                Charts.latency(latency, profile, benchmarks, "latency", "Connect/close"),
                Charts.reuse(reuse, profile, benchmarks),
                Charts.latency(reuseLatency, profile, benchmarks, "connection-reuse-latency", "Request"),
                sections, glance, Summary.draw(glance, charts.scaled(scaledKeys(sections))));
        Files.writeString(folder.file(REPORT_MD), md, StandardCharsets.UTF_8);
        charts.finish(); // report.html embeds the PNGs
        Files.writeString(folder.file(REPORT_HTML), html(md, folder.dir(), "tcplab report: " + profile), StandardCharsets.UTF_8);
        return charts;
    }

    /** Every experiment's claims, from the raw files alone: nothing is drawn or written (what a comparison needs). */
    public static List<Claim> claims(RunData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (Experiment experiment : ExperimentCatalog.all()) {
            ExperimentData experimentData = new ExperimentData(data, experiment, null);
            if (!experimentData.trials().isEmpty()) {
                claims.addAll(experiment.claims(experimentData));
            }
        }
        return claims;
    }

    /** Each experiment's report section and claims, its charts drawn into {@code charts}. */
    public static List<Section> sections(RunData data, Figures charts) throws IOException {
        List<Section> sections = new ArrayList<>();
        for (Experiment experiment : ExperimentCatalog.all()) {
            ExperimentData claimsData = new ExperimentData(data, experiment, null);
            if (!claimsData.trials().isEmpty()) {
                // claims see no chart folder: they are computed as a comparison computes them
                List<Claim> claims = experiment.claims(claimsData);
                // each figure's footer names the sysctls its claims were measured scaled down at
                List<String> scaled = scaled(claims);
                sections.add(experiment.report(new ExperimentData(data, experiment, charts.scaled(scaled, planSets(claimsData.trials(), scaled))),
                        claims));
            }
        }
        return sections;
    }

    /** The sysctls the plan set for these configurations that no scaled entry names: key=value, values of one key joined by "/". */
    private static List<String> planSets(List<RunData.Result> trials, List<String> scaled) {
        Map<String, java.util.Set<String>> set = new java.util.TreeMap<>();
        trials.forEach(t -> t.overrides().forEach((k, v) -> set.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).add(v.trim())));
        return set.entrySet().stream().filter(e -> scaled.stream().noneMatch(s -> s.startsWith(e.getKey() + "=")))
                .map(e -> e.getKey() + "=" + String.join("/", e.getValue())).toList();
    }

    /** For the summary: the keys scaled down in some claim, each once, the values left to each row's "measured at". */
    private static List<String> scaledKeys(List<Section> sections) {
        List<String> keys = scaled(sections.stream().flatMap(s -> s.claims().stream()).toList()).stream()
                .map(s -> s.replaceFirst("=.*", "").replace("net.ipv4.", "")).distinct().toList();
        return keys.isEmpty() ? keys : List.of("in some claims (see \"measured at\"): " + String.join(", ", keys));
    }

    /** The sysctls these claims were measured scaled down at, each once. */
    private static List<String> scaled(List<Claim> claims) {
        return claims.stream().flatMap(c -> java.util.Arrays.stream(c.scaled().split("; "))).filter(s -> !s.isBlank()).distinct().toList();
    }

    private static void writeResults(RunData data, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(RESULT_COLUMNS).get())) {
            for (RunData.Result r : data.results()) {
                JmhResult j = r.jmh();
                boolean thrpt = j != null && j.mode().equals("thrpt");
                boolean sample = j != null && j.mode().equals("sample");
                boolean loopback = r.path().equals("loopback");
                List<Object> row = new ArrayList<>(List.of(r.id(), r.name(), r.mode(), r.path(), r.threads(), r.repetition(),
                        r.row().get("conditions"), r.status()));
                row.add(thrpt ? j.counter("ok") : "");
                row.add(thrpt && j.secondary().containsKey("ok") ? j.secondary().get("ok").error() : "");
                row.add(thrpt ? j.primary().score() : "");
                for (String p : List.of("50.0", "90.0", "99.0", "99.9", "100.0")) {
                    row.add(sample ? j.percentiles().getOrDefault(p, Double.NaN) : "");
                }
                row.add(r.measured("ok"));
                for (FailureCause cause : FailureCause.values()) {
                    row.add(r.measured(cause.counterName));
                }
                row.add(r.clientCounter("state.TIME_WAIT", RunData.AFTER));
                row.add(loopback ? "" : r.serverCounter("state.TIME_WAIT", RunData.AFTER));
                row.add(r.clientCounter("Tcp.ActiveOpens", RunData.DELTA));
                row.add(loopback ? r.clientCounter("Tcp.PassiveOpens", RunData.DELTA) : r.serverCounter("Tcp.PassiveOpens", RunData.DELTA));
                row.add(r.clientCounter("TcpExt.TW", RunData.DELTA));
                row.add(r.clientCounter("TcpExt.TWRecycled", RunData.DELTA));
                row.add(listener(r, "TcpExt.ListenOverflows"));
                row.add(listener(r, "TcpExt.ListenDrops"));
                row.add(r.clientCounter("Tcp.RetransSegs", RunData.DELTA));
                row.add(loopback ? "" : r.serverCounter("Tcp.RetransSegs", RunData.DELTA));
                row.add(r.clientCounter("Tcp.OutRsts", RunData.DELTA));
                row.add(loopback ? "" : r.serverCounter("Tcp.OutRsts", RunData.DELTA));
                row.add(r.serverLastRow().getOrDefault("accepted", ""));
                row.add(r.serverLastRow().getOrDefault("resets", ""));
                row.add(blankIfNaN(r.clientCpuMicrosPerCycle()));
                row.add(blankIfNaN(r.serverCpuMicrosPerCycle()));
                csv.printRecord(row);
            }
        }
    }

    private static String blankIfNaN(double v) {
        return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** A listener counter from the host the server ran in. */
    private static long listener(RunData.Result r, String counter) {
        return r.path().equals("loopback") ? r.clientCounter(counter, RunData.DELTA) : r.serverCounter(counter, RunData.DELTA);
    }

    private static String markdown(RunData data, List<Group> throughput, List<Group> latency, List<Group> reuse,
                                   List<Group> reuseLatency, Drawn throughputChart, Drawn iterationsChart,
                                   Drawn latencyChart, Drawn reuseChart, Drawn reuseLatencyChart, List<Section> sections,
                                   List<Glance> glance, Drawn summaryChart) {
        JsonNode m = data.metadata();
        String profile = m.path("profile").path("name").asText();
        StringBuilder md = new StringBuilder();
        md.append("# tcplab report: profile `").append(profile).append("`\n\n");
        md.append("> ").append(m.path("profile").path("purpose").asText("(the profile has no header comment)")).append("\n\n");
        long failed = data.results().stream().filter(r -> !r.ok()).count();
        String plan = m.path("plan").path("name").asText();
        md.append(String.format(Locale.ROOT, "Profile **%s** · plan **%s** · Linux %s · %s · status **%s** · %d of %s"
                        + " measured · run `%s`%n%n", profile, plan, m.path("machine").path("kernelRelease").asText("?"),
                m.path("started").asText(m.path("runId").asText()).replaceAll("\\.\\d+Z$", "Z"), m.path("status").asText(),
                data.results().size() - failed, Format.count(m.path("plan").path("configurations").asInt(), "configuration"),
                m.path("runId").asText()));
        if (m.path("machine").has("guest")) {
            md.append("> **Measured in a guest kernel:** ").append(m.path("machine").path("guest").asText()).append(".\n\n");
        }
        if (m.has("remote")) {
            md.append("> **").append(twoHosts(m)).append(".** The client ran here and the server side on ")
                    .append(m.path("remote").path("destination").asText()).append(", the profile applied to both and put back on both;"
                    + " the server host's counters and socket tables come from that machine. The two machines are not fresh for each"
                    + " configuration as a namespace lab is: experiments that need empty socket tables, or cut the link, do not run across"
                    + " two machines (PLAN=remote leaves them out; another plan's are skipped with the reason), and no packets are captured.").append(m.path("remote").path("linkLost").asBoolean(false)
                    ? " **The link to the server was lost during the run**; the server restored its own settings." : "").append("\n\n");
        }
        if (plan.equals("quick")) {
            md.append("> **Quick plan: scaled and short, for a first look.** Sysctls are scaled down and windows are seconds long, so"
                    + " many rows are `consistent` rather than `agrees`; run `PLAN=full` for numbers to quote.\n\n");
        }
        if (!"complete".equals(m.path("status").asText())) {
            md.append("**This run did not complete** (").append(m.path("status").asText())
                    .append("): the tables show the configurations it finished; every raw row written before it stopped is kept.\n\n");
        }
        md.append("Contents: [claims at a glance](#claims-at-a-glance) · [environment](#environment)");
        if (!throughput.isEmpty() || !latency.isEmpty()) {
            md.append(" · [benchmarks](#").append(BENCHMARKS_ANCHOR).append(")");
        }
        sections.forEach(sec -> md.append(" · [").append(sec.experiment()).append("](#").append(sec.experiment()).append(")"));
        md.append(" · [reproduce](#reproduce) · [files](#files)\n\n");

        claimsAtAGlance(md, glance, throughput.stream().anyMatch(Group::hasData), summaryChart);
        folklore(md, sections, m);
        md.append("<a id=\"environment\"></a>\n\n");
        environment(md, m, data);
        settings(md, data);

        if (!throughput.isEmpty() || !latency.isEmpty()) {
            benchmarks(md, throughput, latency, throughputChart, iterationsChart, latencyChart, m.has("remote"));
        }
        if (!reuse.isEmpty() || !reuseLatency.isEmpty()) {
            md.append("## Connection reuse\n\n");
            md.append("The remedy that removes TIME_WAIT altogether: send the requests over a connection that stays open.\n\n");
            chart(md, reuseChart);
            throughputTable(md, reuse, data.metadata().has("remote"));
            chart(md, reuseLatencyChart);
            latencyTable(md, reuseLatency);
        }
        if (!throughput.isEmpty() || !latency.isEmpty() || !reuse.isEmpty() || !reuseLatency.isEmpty()) {
            md.append("## What the benchmarks say\n\n");
            List<String> findings = Findings.of(data);
            if (findings.isEmpty()) {
                md.append("Nothing notable: no failures, no configuration ran out of ports, no unexplained outliers.\n\n");
            }
            findings.forEach(f -> md.append("- ").append(f).append("\n"));
            md.append("\n");
        }
        for (Section section : sections) {
            experimentSection(md, section, m);
        }

        counters(md, data);
        reproduce(md, m);
        files(md, !sections.isEmpty());
        return md.toString();
    }

    private static void benchmarks(StringBuilder md, List<Group> throughput, List<Group> latency, Drawn throughputChart,
                                   Drawn iterationsChart, Drawn latencyChart, boolean twoMachines) {
        md.append("<a id=\"").append(BENCHMARKS_ANCHOR).append("\"></a>\n\n## Connect/close throughput\n\n");
        md.append("What was varied: the close mode (who sends the first FIN, or an RST with SO_LINGER 0), SO_REUSEADDR on the client,"
                + " a 1-byte request/response before closing, and the path (" + (twoMachines ? "between the two machines, named veth in the"
                + " plan" : "veth between two hosts, or loopback inside one") + ").\n\n");
        chart(md, throughputChart);
        md.append("Read it: taller is faster. A configuration marked \"fell by\" filled its client's port range with TIME_WAIT it"
                + " cannot reuse: its bar is the rate after the fall, where every connect() scans the held ports, and the triangle the"
                + " first warmup iteration's rate, before it (the table's mean mixes the iterations before and after the fall). The"
                + " kernel model's sustained ceiling, ports / 60 s,"
                + " holds only once the first TIME_WAIT sockets expire, 60 s in: it is drawn as a diamond only for a run that lasted that"
                + " long. Error bars span the repetitions; \"±n/a\" marks a configuration measured once.\n\n");
        throughputTable(md, throughput, twoMachines);
        chart(md, iterationsChart);

        md.append("## Connect/close latency\n\n");
        chart(md, latencyChart);
        latencyTable(md, latency);
    }

    /** Where the benchmarks' section starts, for links. */
    static final String BENCHMARKS_ANCHOR = "benchmarks";

    /**
     * One line per claim, C1 to C13, narrow enough for a 1280 px screen: the claim in a few words,
     * its verdicts counted, one key number (model beside measured: a difference first, then a row
     * measured at the claim's own scale), what that number was measured at, and links to its section.
     * Every row of C2 to C13 with its explanation is in claims.csv and the sections; C1, the
     * benchmarks, has no model and so no claims.csv rows.
     */
    private static void claimsAtAGlance(StringBuilder md, List<Glance> glance, boolean benchmarks, Drawn summary) {
        if (glance.isEmpty()) {
            return;
        }
        md.append("<a id=\"claims-at-a-glance\"></a>\n\n## Claims at a glance\n\n");
        chart(md, summary);
        md.append("`agrees`: measured at the claim's own scale, inside the band its row states. `consistent`: fits the model, but short of the"
                + " claim's own scale or horizon (scaled sysctls, a window shorter than the claim). `differs`: outside the band. Every row"
                + " of C2 to C13, with its band and explanation, is in [claims.csv](claims.csv); C1 has no model, so no rows there: its"
                + " numbers are in [results.csv](results.csv)" + (benchmarks ? " and [the benchmarks' section](#"
                + BENCHMARKS_ANCHOR + ")" : "") + ". [The claims](" + CLAIMS_DOC + ") as people state them. The key number is a row"
                + " measured at the claim's own scale where there is one; \"measured at\" says when it is not.\n\n");
        md.append("<div id=\"claims-glance\">\n\n");
        // the claim's id links to its section (the first, when several experiments test it) and is the claim's own anchor
        Markdown.Table table = new Markdown.Table("claim", "in short", "verdicts", "model", "measured", "measured at")
                .numeric("model", "measured");
        for (Glance g : glance) {
            String anchor = "<a id=\"" + g.id().toLowerCase(Locale.ROOT) + "\"></a>";
            List<String> counts = new ArrayList<>();
            g.verdicts().forEach((v, n) -> counts.add((v == Claim.Verdict.DIFFERS ? "**" + n + " " + v.word + "**" : n + " " + v.word)));
            table.row(anchor + (g.section().isEmpty() ? g.id() : "[" + g.id() + "](#" + g.section() + ")"), Claim.SHORT.get(g.id()),
                    counts.isEmpty() ? g.status() : String.join(", ", counts), g.model(), g.measured(), g.measuredAt());
        }
        md.append(table.markdown()).append("\n</div>\n\n");
    }

    /**
     * One line per claim, C1 to C13: its verdicts counted, one key number (model beside measured: a
     * difference first, then a row measured at the claim's own scale), what that number was measured
     * at, and the section it links to. The glance table and the summary image both show these.
     *
     * @param verdicts the claim's claims.csv rows counted by verdict; empty for C1 and a claim not in the plan
     * @param example  the verdict of the row the key number comes from; null where there is none
     * @param status   what the verdicts column says when there are none ("not in this plan", "5 measured")
     */
    record Glance(String id, String section, Map<Claim.Verdict, Long> verdicts, Claim.Verdict example, String status, String model,
                  String measured, String measuredAt) {
    }

    /**
     * C1 to C13 as the glance shows them. Every row of C2 to C13 with its explanation is in claims.csv
     * and the sections; C1, the benchmarks, has no model and so no claims.csv rows.
     */
    static List<Glance> glance(List<Section> sections, List<Group> throughput) {
        List<Group> measured = throughput.stream().filter(Group::hasData).toList();
        List<Glance> glance = new ArrayList<>();
        if (sections.isEmpty() && measured.isEmpty()) {
            return glance;
        }
        Map<Claim.Verdict, Long> none = Map.of();
        for (String id : Claim.STATEMENTS.keySet()) {
            if (id.equals("C1")) {
                if (measured.isEmpty()) {
                    glance.add(new Glance(id, "", none, null, "not in this plan", "", "", ""));
                    continue;
                }
                Group fastest = measured.stream().max(java.util.Comparator.comparingDouble(Group::okRate)).orElseThrow();
                Group slowest = measured.stream().min(java.util.Comparator.comparingDouble(Group::okRate)).orElseThrow();
                glance.add(new Glance(id, BENCHMARKS_ANCHOR, none, null, measured.size() + " measured", "no model",
                        Format.number(slowest.okRate()) + " to " + Format.number(fastest.okRate()) + " cycles/s", ""));
                continue;
            }
            List<Claim> rows = sections.stream().flatMap(s -> s.claims().stream()).filter(c -> c.claim().equals(id)).toList();
            if (rows.isEmpty()) {
                glance.add(new Glance(id, "", none, null, "not in this plan", "", "", ""));
                continue;
            }
            Map<Claim.Verdict, Long> verdicts = new java.util.EnumMap<>(Claim.Verdict.class);
            rows.forEach(c -> verdicts.merge(c.verdict(), 1L, Long::sum));
            List<Claim> headline = rows.stream().filter(c -> headline(c)).toList();
            Claim example = rows.stream().filter(c -> c.verdict() == Claim.Verdict.DIFFERS).findFirst()
                    .or(() -> headline.stream().filter(c -> c.verdict() == Claim.Verdict.AGREES).findFirst())
                    .or(() -> headline.stream().filter(c -> c.verdict() != Claim.Verdict.SKIPPED).findFirst())
                    .or(() -> rows.stream().filter(c -> !Double.isNaN(c.modelValue()) && c.verdict() == Claim.Verdict.AGREES).findFirst())
                    .or(() -> rows.stream().filter(c -> !Double.isNaN(c.modelValue()) && c.verdict() != Claim.Verdict.SKIPPED).findFirst())
                    .orElse(rows.stream().filter(c -> c.verdict() != Claim.Verdict.SKIPPED).findFirst().orElse(rows.get(0)));
            boolean skipped = example.verdict() == Claim.Verdict.SKIPPED;
            String section = sections.stream().filter(s -> s.claims().stream().anyMatch(c -> c.claim().equals(id))).findFirst()
                    .map(Section::experiment).orElse("");
            // a measurement well away from its model shows the band that decided it
            boolean far = !Double.isNaN(example.low()) && Math.abs(example.measuredValue() - example.modelValue())
                    > 0.05 * Math.max(Math.abs(example.modelValue()), 1e-9);
            String measuredCell = skipped ? "" : shorter(example.measured()) + (far ? " (band " + band(example, Format::number) + ")" : "");
            glance.add(new Glance(id, section, verdicts, example.verdict(), "", skipped ? "skipped" : shorter(example.model()), measuredCell,
                    skipped ? "" : measuredAt(example)));
        }
        return glance;
    }

    /**
     * The metric each claim's sentence is about, and the condition it is stated for: the glance's key
     * number and verdict come from such a row where there is one, so "TIME_WAIT lasts 60 s" is never
     * answered with FIN_WAIT_2's lifetime, nor a tcp_retries2 claim with TCP_USER_TIMEOUT's.
     */
    private static final Map<String, String[]> HEADLINES = Map.ofEntries(
            Map.entry("C2", new String[] {"time_wait_lifetime_s", ""}),
            Map.entry("C3", new String[] {"max_connections_per_60s_window", ""}),
            Map.entry("C4", new String[] {"sustained_connections_per_s", ""}),
            Map.entry("C5", new String[] {"time_wait_sockets_at_once", ""}),
            Map.entry("C6", new String[] {"time_wait_sockets_client", ""}),
            Map.entry("C7", new String[] {"first_bind", ""}),
            Map.entry("C8", new String[] {"bind_failed_share_first_parity", ""}),
            Map.entry("C9", new String[] {"management_answered_share", ""}),
            Map.entry("C10", new String[] {"connect_fails_after_s", "connectTimeout=0;"}), // the kernel's schedule, not the application's cut
            Map.entry("C11", new String[] {"noticed_after_fault_s", ""}),
            Map.entry("C12", new String[] {"write_fails_after_s", "variant=PLAIN"}),
            Map.entry("C13", new String[] {"close_wait_after_hold", ""}));

    private static boolean headline(Claim c) {
        String[] h = HEADLINES.get(c.claim());
        return h != null && c.metric().id().equals(h[0]) && c.conditions().contains(h[1]);
    }

    /** What a key number was measured at, for a reader about to quote it: the defaults, or scaled (and the model there), or short. */
    static String measuredAt(Claim c) {
        if (!c.scaled().isEmpty()) {
            // the figure alone: its derivation, in brackets, is in the section and claims.csv
            String atDefaults = c.modelAtDefaults().replaceAll(" \\(.*$", "");
            return atDefaults.isEmpty() ? "scaled sysctls" : "scaled; " + shorter(atDefaults) + " at the defaults";
        }
        return c.horizon().isEmpty() ? "its own scale" : "short of its horizon";
    }

    /**
     * "What the folklore gets wrong on this kernel": the findings of this run that differ from how
     * people state the claims, each with its measured number, read from the claims alone.
     */
    private static void folklore(StringBuilder md, List<Section> sections, JsonNode m) {
        List<Claim> claims = sections.stream().flatMap(s -> s.claims().stream()).toList();
        List<String> found = new ArrayList<>();
        java.util.function.Predicate<Claim> kernelSchedule = c -> c.conditions().contains("tcp_syn_linear_timeouts=4")
                && c.conditions().contains("connectTimeout=0") && !Double.isNaN(c.measuredValue());
        first(claims, "connect-timeout", "connect_fails_after_s", kernelSchedule.and(c -> c.scaled().isEmpty()))
                .or(() -> first(claims, "connect-timeout", "connect_fails_after_s", kernelSchedule)).ifPresent(c ->
                found.add("**131 s, not 127 s.** " + (c.scaled().isEmpty() ? "With the default tcp_syn_retries = 6 and"
                        + " tcp_syn_linear_timeouts = 4, connect() to a host that drops SYNs gave up after " + c.measured() + " (model "
                        + c.model() + ")" : "The model predicts " + c.modelAtDefaults() + " at the defaults; this run checked it only at "
                        + c.conditions().replaceAll(".*(tcp_syn_retries=\\d+).*", "$1") + " (" + c.measured() + ", model " + c.model()
                        + "), where the SYN count, not the time, tells the schedules apart: run PLAN=full for 131 s measured")
                        + ". The 127 s usually quoted predates tcp_syn_linear_timeouts, whose default 4 sends more SYNs early and one"
                        + " more late. [C10](#connect-timeout)"));
        java.util.function.Predicate<Claim> plainWrite = c -> c.conditions().contains("variant=PLAIN") && !Double.isNaN(c.measuredValue());
        first(claims, "stuck-write", "write_fails_after_s", plainWrite.and(c -> c.scaled().isEmpty()))
                .or(() -> first(claims, "stuck-write", "write_fails_after_s", plainWrite))
                .ifPresent(c -> found.add("**A stuck write takes what the path's RTO decides.** " + (c.scaled().isEmpty()
                        ? "With tcp_retries2 = 15 the write failed after " + c.measured() + " (model " + c.model() + "), neither the 924.6 s"
                                + " usually quoted nor the 1044.6 s an RTO of exactly 200 ms would give."
                        : "At the default tcp_retries2 = 15 the model predicts " + c.modelAtDefaults() + ", not the 924.6 s usually"
                                + " quoted; this run checked the model only at " + c.conditions().replaceAll(".*(tcp_retries2=\\d+).*", "$1")
                                + " (" + c.measured() + ", model " + c.model() + ")"
                                // the row's horizon says when a 200 ms RTO gives the same timer there: then the RTO's part went untested
                                + (c.horizon().contains("does not test that the path's RTO decides") ? ", where an RTO of exactly 200 ms"
                                + " gives the same failure, so the path's RTO was not tested" : "") + ": run PLAN=full to measure 15.")
                        + " [C12](#stuck-write)"));
        // the row that tells parity from no parity: the other parity untouched while a share of the range is in use
        first(claims, "listen-port-collision", "bind_failed_share_other_parity", c -> c.measuredValue() == 0 && c.modelValue() == 0)
                .ifPresent(c -> {
                    Optional<Claim> first = first(claims, "listen-port-collision", "bind_failed_share_first_parity",
                            o -> o.where().configuration().equals(c.where().configuration()));
                    String occupancy = c.conditions().replaceAll(".*occupancy=(\\d+).*", "$1");
                    found.add("**Ports go by parity.** connect() fills the ports of one parity of the range first: with " + occupancy
                            + " % of the range in use, no trial lost a listening port of the other parity, where a parity-blind rule would"
                            + " lose " + occupancy + " % of them" + first.map(f -> "; a port of the parity tried first was lost in "
                            + percent(f.measuredValue()) + " of the trials (model " + percent(f.modelValue()) + ")").orElse("")
                            + ". The same rule makes connect() slow once half the range is held."
                            + " [C8](#listen-port-collision)");
                });
        first(claims, "close-wait-leak", "reconnect_into_close_wait", c -> c.verdict() == Claim.Verdict.AGREES).ifPresent(c ->
                found.add("**A reconnect into CLOSE_WAIT does not hang.** Measured, a new connect() from a source port the server still"
                        + " held in CLOSE_WAIT: " + c.measured() + ". The server answered its SYN with a challenge ACK (RFC 5961), the"
                        + " client's RST removed the stale connection and the SYN was resent at once, where older kernels waited the"
                        + " initial 1 s. [C13](#close-wait-leak)"));
        JsonNode defaults = m.path("jdk").path("socketDefaults");
        if (defaults.path("ServerSocket.SO_REUSEADDR").asBoolean(false)
                && sections.stream().anyMatch(s -> s.experiment().equals("restart-rebind"))) {
            found.add("**Java servers restart at once.** This JDK turns SO_REUSEADDR on for ServerSocket and ServerSocketChannel on"
                    + " Linux, so \"Address already in use\" after a restart needs an old listener that had it off."
                    + " [C7](#restart-rebind)");
        }
        first(claims, "port-exhaustion", "max_connections_per_60s_window", c -> c.explanation().contains("too slow to fill the range"))
                .ifPresent(c -> found.add("**The ports / 60 s ceiling was not reached.** " + c.measured() + " in the best 60 s window,"
                        + " not the range's " + portsOf(c) + " ports of the folklore: connect()'s scan of held ports limits it first."
                        + " [C3](#port-exhaustion)"));
        if (found.isEmpty()) {
            return;
        }
        md.append("### What the folklore gets wrong on this kernel\n\n");
        found.forEach(f -> md.append("- ").append(f).append("\n"));
        md.append("\n");
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    /** The ports of the range a claim ran with: its conditions when the plan set it, else the kernel's default. */
    private static int portsOf(Claim c) {
        Matcher range = Pattern.compile("ip_local_port_range=(\\d+) (\\d+)").matcher(c.conditions());
        return range.find() ? Integer.parseInt(range.group(2)) - Integer.parseInt(range.group(1)) + 1 : TcpModel.DEFAULT_PORTS;
    }

    private static Optional<Claim> first(List<Claim> claims, String experiment, String metricId, java.util.function.Predicate<Claim> also) {
        return claims.stream().filter(c -> c.experiment().equals(experiment) && c.metric().id().equals(metricId)
                && c.verdict() != Claim.Verdict.SKIPPED && also.test(c)).findFirst();
    }

    /** A model or measurement short enough for the glance; the section has it whole. */
    private static String shorter(String text) {
        return text.length() <= 28 ? text : text.substring(0, 27) + "…";
    }

    /** Where the claims are documented for readers, relative to a run folder (reports/PROFILE/RUN-ID/). */
    static final String CLAIMS_DOC = "../../../docs/claims.md";

    /** The condition keys whose values differ between a section's rows: the others are the same for all, and said once. */
    /**
     * A band's ends, "low to high". A share's ends go to two significant digits of the band's width: a
     * share from 20 trials moves in steps of 0.05, so 0.14 to 0.86 says all that 0.1406 to 0.8614 does.
     */
    private static String band(Claim c, java.util.function.DoubleFunction<String> number) {
        double width = c.high() - c.low();
        if (!c.metric().unit().isEmpty() || c.low() < 0 || c.high() > 1 || !(width > 0)) {
            return number.apply(c.low()) + " to " + number.apply(c.high());
        }
        int decimals = Math.max(2, 1 - (int) Math.floor(Math.log10(width)));
        java.util.function.DoubleFunction<String> share = v -> new java.math.BigDecimal(Double.toString(v))
                .setScale(decimals, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        return share.apply(c.low()) + " to " + share.apply(c.high());
    }

    private static List<String> varyingConditions(List<Claim> claims) {
        Map<String, java.util.Set<String>> values = new java.util.LinkedHashMap<>();
        for (Claim c : claims) {
            for (String pair : c.conditions().split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.computeIfAbsent(pair.substring(0, eq), k -> new java.util.HashSet<>()).add(pair.substring(eq + 1));
                }
            }
        }
        List<String> varying = new ArrayList<>();
        values.forEach((k, v) -> {
            boolean inAll = claims.stream().allMatch(c -> (";" + c.conditions()).contains(";" + k + "="));
            if (v.size() > 1 || !inAll) {
                varying.add(k);
            }
        });
        return varying;
    }

    private static void experimentSection(StringBuilder md, Section section, JsonNode m) {
        Experiment experiment = ExperimentCatalog.find(section.experiment());
        md.append("<a id=\"").append(section.experiment()).append("\"></a>\n\n## ").append(section.title()).append("\n\n");
        if (experiment != null && !experiment.claims().isEmpty()) {
            md.append("Claims: ").append(String.join(", ", experiment.claims())).append(".\n\n");
        }
        md.append(section.markdown());
        if (!section.claims().isEmpty()) {
            List<String> varying = varyingConditions(section.claims());
            Markdown.Table table = new Markdown.Table("claim", "conditions that vary", "metric", "model", "measured", "band", "verdict",
                    "explanation").numeric("model", "measured");
            for (Claim c : section.claims()) {
                String conditions = java.util.Arrays.stream(c.conditions().split(";")).filter(pair -> varying.contains(
                        pair.substring(0, Math.max(0, pair.indexOf('='))))).map(pair -> pair.replace("net.ipv4.", "")).collect(
                        java.util.stream.Collectors.joining("; "));
                String band = Double.isNaN(c.low()) ? "" : band(c, Claim::number);
                String verdict = "**" + c.verdict().word + "**" + (c.horizon().isEmpty() ? "" : ": " + c.horizon());
                String scaled = c.scaled().isEmpty() ? "" : " Scaled: " + c.scaled() + "; the model at the defaults: " + c.modelAtDefaults() + ".";
                table.row(c.claim(), conditions, c.metric().label(), c.model(), c.measured(), band, verdict, c.explanation() + scaled);
            }
            md.append(table.markdown()).append("\n");
        }
        md.append("Reproduce exactly this experiment: `make run-profile PROFILE=").append(m.path("profile").path("name").asText())
                .append(" PLAN=").append(runPath(m)).append("/reproduce/").append(section.experiment()).append(".json")
                .append(m.has("remote") ? " REMOTE=" + m.path("remote").path("destination").asText() + " CONFIRM=yes" : "").append("`\n\n");
    }

    private static void reproduce(StringBuilder md, JsonNode m) {
        md.append("## Reproduce\n\n```\n");
        JsonNode tcplab = m.path("tcplab");
        if (tcplab.path("commit").asText().matches("[0-9a-f]{40}")) {
            md.append("git checkout ").append(tcplab.path("commit").asText()).append("\n");
        }
        md.append(m.path("reproduce").asText()).append("\n");
        md.append("make report RUN=<the run folder it prints>   # redraw charts and this report from the raw files\n```\n\n");
        if (tcplab.path("uncommittedChanges").asBoolean(false)) {
            md.append("The checkout had uncommitted changes when this ran; the commit alone may not reproduce it exactly.\n\n");
        }
    }

    private static void files(StringBuilder md, boolean experiments) {
        md.append("## Files\n\n");
        Markdown.Table table = new Markdown.Table("file", "what it holds")
                .row("`metadata.json`", "machine, kernel, JDK, tcplab version and commit, command, profile, plan, host settings before and after")
                .row("`profile.conf`, `plan.json`", "exact copies of the profile and plan that ran")
                .row("`configurations.csv`", "one row per configuration: conditions, status, duration, pace (timer or cpu) and the"
                        + " configurations that ran beside it")
                .row("`sysctls.csv`", "every relevant sysctl as read back in each configuration's client and server host")
                .row("`kernel-counters.csv`", "/proc/net/netstat, snmp and sockstat counters and TCP socket states, before and after each"
                        + " configuration, per host")
                .row("`raw/ID.jmh.json`, `raw/ID.jmh.csv`, `raw/ID.jmh.log`", "JMH's results and output")
                .row("`raw/ID.outcomes.csv`", "complete and failed attempts by cause, per iteration and thread, warmup included")
                .row("`raw/ID.server.csv`, `raw/ID.server.log`", "the tcplab server's counters, once a second");
        if (experiments) {
            table.row("`raw/ID.NAME.csv`, `raw/ID.ROLE.log`", "each experiment's own rows and its agents' output")
                    .row("`claims.csv`, `reproduce/EXPERIMENT.json`", "derived: model beside measurement per claim, and a plan holding just"
                            + " that experiment");
        }
        md.append(table.row("`results.csv`, `charts/`, `report.md`, `report.html`", "derived from the files above by `make report`").markdown());
    }

    private static void writeClaims(List<Section> sections, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(Claim.COLUMNS).get())) {
            for (Section section : sections) {
                for (Claim c : section.claims()) {
                    csv.printRecord(c.row());
                }
            }
        }
    }

    /** The run's plan with only this experiment's entries, so one command reruns exactly it. */
    private static void writeReproducePlan(RunFolder folder, String experiment) throws IOException {
        if (!Files.isRegularFile(folder.file(RunFolder.PLAN_COPY))) {
            return; // a folder without its plan copy: nothing to slice
        }
        ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
        ObjectNode plan = (ObjectNode) json.readTree(folder.file(RunFolder.PLAN_COPY).toFile());
        ObjectNode slice = json.createObjectNode();
        slice.put("description", "only " + experiment + ", as it ran in " + folder.dir().getFileName());
        if (plan.has("repetitions")) {
            slice.set("repetitions", plan.get("repetitions"));
        }
        ArrayNode entries = slice.putArray("experiments");
        plan.path("experiments").forEach(e -> {
            if (experiment.equals(e.path("experiment").asText())) {
                entries.add(e);
            }
        });
        Path dir = Files.createDirectories(folder.file("reproduce"));
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(experiment + ".json").toFile(), slice);
    }

    /** "two hosts: A → B, RTT x ms", from a two-machine run's metadata. */
    static String twoHosts(JsonNode m) {
        JsonNode rtt = m.path("remote").path("rttAtStart");
        String path = rtt.has("rttMs") ? "RTT " + Format.micros(rtt.path("rttMs").asDouble() * 1000) : "RTT not measured";
        return "Two hosts: " + m.path("lab").path("clientAddress").asText() + " (Linux " + m.path("machine").path("kernelRelease").asText()
                + ") → " + m.path("remote").path("destination").asText() + " at " + m.path("lab").path("serverAddress").asText() + " (Linux "
                + m.path("remote").path("machine").path("kernelRelease").asText() + "), " + path;
    }

    /** Where the run folder is, as typed from the checkout (reports/PROFILE/RUN-ID). */
    private static String runPath(JsonNode m) {
        return "reports/" + m.path("profile").path("name").asText() + "/" + m.path("runId").asText();
    }

    private static void environment(StringBuilder md, JsonNode m, RunData data) {
        JsonNode machine = m.path("machine");
        JsonNode lab = m.path("lab");
        md.append("## Environment\n\n");
        Markdown.Table table = new Markdown.Table("", "");
        table.row("kernel", machine.path("kernelRelease").asText());
        if (machine.has("guest")) {
            table.row("guest", "**" + machine.path("guest").asText() + "**");
        }
        table.row("distribution", machine.path("distribution").asText());
        table.row("CPU", machine.path("cpuModel").asText() + " × " + machine.path("cpus").asInt() + (m.has("remote")
                ? " (this machine: the client; the server machine's below)" : " (client, server and kernel share them)"));
        table.row("memory", machine.path("memory").asText());
        table.row("JDK", m.path("jdk").path("vendor").asText() + " " + m.path("jdk").path("version").asText()
                + " (" + m.path("jdk").path("vm").asText() + ")");
        table.row("tcplab", m.path("tcplab").path("version").asText() + ", commit " + m.path("tcplab").path("commit").asText()
                + (m.path("tcplab").path("uncommittedChanges").asBoolean(false) ? " with uncommitted changes" : ""));
        if (m.has("remote")) {
            JsonNode server = m.path("remote").path("machine");
            JsonNode rtt = m.path("remote").path("rttAtStart");
            table.row("lab", "**two machines**: this one the client, " + m.path("remote").path("destination").asText() + " the server; "
                    + lab.path("clientAddress").asText() + " → " + lab.path("serverAddress").asText() + ":" + lab.path("serverPort").asText()
                    + ", the profile applied to both (host mode) and put back");
            table.row("server machine", "Linux " + server.path("kernelRelease").asText() + ", " + server.path("distribution").asText() + ", "
                    + server.path("cpuModel").asText() + " × " + server.path("cpus").asInt() + ", " + server.path("memory").asText()
                    + ", " + m.path("remote").path("jdk").path("vendor").asText() + " " + m.path("remote").path("jdk").path("version").asText());
            table.row("NICs", nic(m.path("machine").path("nic")) + " (client) → " + nic(m.path("remote").path("nic")) + " (server)");
            table.row("path", rtt.has("rttMs") ? "RTT " + Format.micros(rtt.path("rttMs").asDouble() * 1000) + " (fastest "
                    + Format.micros(rtt.path("minMs").asDouble() * 1000) + ", slowest " + Format.micros(rtt.path("maxMs").asDouble() * 1000) + "): "
                    + rtt.path("source").asText() : "RTT not measured: " + rtt.path("error").asText("?"));
        } else if (lab.path("mode").asText().equals("host")) {
            table.row("lab", "**host mode**: this machine's own network stack; the profile was applied to it and put back at the end"
                    + " (configurations that need two hosts were skipped)");
        } else {
            table.row("lab", "namespace mode: network namespaces (" + lab.path("privileges").asText() + "), fresh per configuration: client "
                    + lab.path("clientAddress").asText() + " ↔ veth ↔ server " + lab.path("serverAddress").asText() + ":"
                    + lab.path("serverPort").asText() + ", or 127.0.0.1 inside the client host for the loopback path");
        }
        String untouched = m.has("hostSysctlsUnchanged") ? (m.path("hostSysctlsUnchanged").asBoolean() ? "unchanged (read before and after)"
                : "CHANGED during the run by something else; see metadata.json") : "not checked (run did not finish)";
        if (m.has("remote")) {
            table.row("settings", "the profile applied to both machines for the run and put back: this machine's "
                    + (m.path("hostSysctlsUnchanged").asBoolean(false) ? "the same before and after" : "NOT the same after; see metadata.json")
                    + ", the server's " + (m.path("remote").path("sysctlsAfter").equals(m.path("remote").path("sysctlsBefore"))
                    ? "the same before and after" : "NOT the same after (or not read back); see metadata.json"));
        } else {
            table.row("this machine's settings", untouched);
        }
        table.row("plan", m.path("plan").path("name").asText() + ": " + m.path("plan").path("description").asText());
        table.row("started / finished", seconds(m.path("started").asText()) + " / " + seconds(m.path("finished").asText("(not finished)"))
                + ", took " + spokenDuration(m) + (m.path("plan").has("expectedSeconds") ? " (estimated "
                + Format.spoken(java.time.Duration.ofSeconds(m.path("plan").path("expectedSeconds").asLong())) + ")" : ""));
        String schedule = schedule(data.results());
        if (schedule != null) {
            table.row("schedule", schedule);
        }
        table.row("command", "`" + m.path("command").asText() + "`");
        md.append(table.markdown()).append("\nFull details: [metadata.json](metadata.json).\n\n");
    }

    /**
     * How the configurations shared the machine, from configurations.csv: how many timer-bound ones
     * ran side by side and how many at most at once, the CPU-bound ones alone. Null for a run before
     * tcplab recorded it.
     */
    static String schedule(List<RunData.Result> results) {
        List<long[]> spans = new ArrayList<>();
        int timer = 0;
        int cpu = 0;
        int beside = 0;
        for (RunData.Result r : results) {
            String pace = r.row().getOrDefault("pace", "");
            if (pace.isEmpty()) {
                return null;
            }
            if (r.row().get("status").equals("skipped")) {
                continue;
            }
            if (pace.equals("timer")) {
                timer++;
            } else {
                cpu++;
            }
            beside += r.row().getOrDefault("beside", "").isBlank() ? 0 : 1;
            try {
                long start = java.time.Instant.parse(r.row().get("started_utc")).toEpochMilli();
                spans.add(new long[] {start, start + Math.round(Double.parseDouble(r.row().get("seconds")) * 1000)});
            } catch (RuntimeException unreadable) {
                // a hand-edited row: counted, not placed in time
            }
        }
        int most = 0;
        for (long[] a : spans) {
            int at = 0;
            for (long[] b : spans) {
                at += b[0] <= a[0] && a[0] < b[1] - 100 ? 1 : 0; // seconds are rounded to 0.1 s
            }
            most = Math.max(most, at);
        }
        if (beside == 0) {
            return "one configuration at a time, each with the machine to itself";
        }
        return String.format(Locale.ROOT, "%d timer-bound configurations side by side, up to %d at once, each in its own namespaces: their"
                + " results are when or whether something happens, and the same configurations alone and side by side give the same"
                + " verdicts inside the same bands (ConcurrencyTest); %d rates, costs and chance-driven ones alone, after them. Each"
                + " configuration's neighbours are in configurations.csv, column `beside`", timer, most, cpu);
    }

    private static String nic(JsonNode nic) {
        if (!nic.has("device")) {
            return "?";
        }
        String speed = nic.path("speedMbps").asText("");
        return nic.path("device").asText() + " (" + nic.path("driver").asText() + ", MTU " + nic.path("mtu").asText()
                + (speed.matches("\\d+") && !speed.equals("-1") ? ", " + speed + " Mb/s" : "") + ")";
    }

    /** An instant to the second: 2026-12-02T13:34:17Z. */
    private static String seconds(String instant) {
        try {
            return java.time.Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (java.time.format.DateTimeParseException notOne) {
            return instant;
        }
    }

    private static String spokenDuration(JsonNode m) {
        try {
            return Format.spoken(java.time.Duration.between(java.time.Instant.parse(m.path("started").asText()),
                    java.time.Instant.parse(m.path("finished").asText())));
        } catch (java.time.format.DateTimeParseException unfinished) {
            return "(not finished)";
        }
    }

    /** How long a run took, from its metadata. */
    static String duration(JsonNode m) {
        try {
            return Format.clock(java.time.Duration.between(java.time.Instant.parse(m.path("started").asText()),
                    java.time.Instant.parse(m.path("finished").asText())));
        } catch (java.time.format.DateTimeParseException unfinished) {
            return "(not finished)";
        }
    }

    private static void settings(StringBuilder md, RunData data) {
        Map<String, String> settings = data.settings();
        if (settings.isEmpty()) {
            return;
        }
        Set<String> profileKeys = new LinkedHashSet<>();
        try {
            ProfileParser.parse(data.folder().file(RunFolder.PROFILE_COPY)).entries().forEach(e -> profileKeys.add(e.key().name()));
        } catch (ProfileException e) {
            // without a readable copy, no key is marked as set by the profile
        }
        JsonNode host = data.metadata().path("hostSysctlsBefore");
        md.append("## Settings in effect\n\n");
        if (data.metadata().has("remote")) {
            JsonNode remote = data.metadata().path("remote");
            JsonNode server = data.metadata().path("sysctlsInLab").path("server");
            md.append("As read back on the two machines during the run, beside each machine's value from before it; both were put back at"
                    + " the end (after: metadata.json).\n\n");
            Markdown.Table table = new Markdown.Table("sysctl", "client (this machine)", "server (" + remote.path("destination").asText() + ")",
                    "set by the profile", "client before", "server before");
            settings.forEach((k, v) -> table.row("`" + k + "`", v.isEmpty() ? "(empty)" : v, server.path(k).asText(""),
                    profileKeys.contains(k) ? "yes" : "", host.path(k).asText(""), remote.path("sysctlsBefore").path(k).asText("")));
            md.append(table.markdown()).append("\n");
            return;
        }
        md.append("As read back inside the lab's hosts (client shown; the server host had the same profile applied). The host column is"
                + " this machine's own value, for reference only: it was not changed.\n\n");
        Markdown.Table table = new Markdown.Table("sysctl", "in the lab", "set by the profile", "this machine");
        settings.forEach((k, v) -> table.row("`" + k + "`", v.isEmpty() ? "(empty)" : v, profileKeys.contains(k) ? "yes" : "", host.path(k).asText("")));
        md.append(table.markdown());
        int ports = TcpModel.portCount(settings);
        if (ports > 0) {
            md.append(String.format(Locale.ROOT, "%nModel: %d local ports; a client that keeps TIME_WAIT (%d s, fixed in the kernel) and cannot"
                    + " reuse it sustains at most %d / %d = **%s new connections/s** to one destination.%n",
                    ports, TcpModel.TIME_WAIT_SECONDS, ports, TcpModel.TIME_WAIT_SECONDS, Format.number(TcpModel.portCeilingPerSecond(ports))));
        }
        List<String> differ = data.settingsThatDiffer();
        if (!differ.isEmpty()) {
            md.append("\nThe table shows the profile's values; the plan sweeps ").append(differ.stream().map(k -> "`" + k + "`").collect(
                    java.util.stream.Collectors.joining(", "))).append(" on top of it, so those differ between configurations (each"
                    + " configuration's values are in sysctls.csv, and each row of claims.csv names the ones it ran with).\n");
        }
        md.append("\n");
    }

    private static void throughputTable(StringBuilder md, List<Group> groups, boolean twoMachines) {
        if (groups.isEmpty()) {
            return;
        }
        boolean repeated = groups.stream().anyMatch(g -> g.measured().size() > 1);
        String tw = twoMachines ? "TIME_WAIT added (client / server)" : "TIME_WAIT at end (client / server)";
        String cpu = "CPU per cycle, µs: client / server";
        Markdown.Table table = new Markdown.Table("configuration", "complete per s", "±", "first → last iteration", "attempts per s",
                "failed in measurement", tw, cpu).numeric("complete per s", "±", "attempts per s", tw, cpu);
        for (Group g : groups) {
            if (!g.hasData()) {
                table.row(g.label(), "not measured: " + g.first().status(), "", "", "", "", "", "");
                continue;
            }
            RunData.Result r = g.measured().get(0);
            table.row(g.label(), Format.number(g.okRate()), Format.number(g.okError()), firstAndLast(r),
                    Format.number(g.mean(x -> x.jmh().primary().score())), failureText(g), timeWait(r, twoMachines),
                    Format.number(g.mean(RunData.Result::clientCpuMicrosPerCycle)) + " / "
                            + Format.number(g.mean(RunData.Result::serverCpuMicrosPerCycle)));
        }
        md.append(table.markdown());
        md.append(repeated ? "\n± spans every repetition (each in fresh namespaces). " : "\n± is JMH's 99.9 % confidence half-width. ");
        if (twoMachines) {
            md.append("Two real machines keep their sockets from one configuration to the next, so TIME_WAIT is the change over each"
                    + " configuration, not the count at its end. ");
        }
        md.append("CPU per cycle is the benchmark JVM's own (every thread, user and system) over the measurement iterations, divided by"
                + " its complete cycles, and the tcplab server's from when it began serving (its start-up left out), divided by the"
                + " connections it accepted (or the requests it answered, on kept-alive connections). Times the rate, it is"
                + " the CPU a side used per second: near 1 s with one thread, that thread never waited (in its own code or the kernel's),"
                + " so the rate is what its CPU allowed. ");
        md.append("Complete cycles exclude failed attempts; JMH's primary score (attempts) includes them. A configuration whose client"
                + " fills its port range with TIME_WAIT starts fast and ends at the scan-limited rate: its mean mixes the two, so the first"
                + " and last measurement iterations (first repetition, all threads) are shown apart, the transient beside the steady"
                + " state.\n\n");
    }

    /** Complete cycles per second in the first and the last measurement iteration, from outcomes.csv: the transient and where it ends. */
    private static String firstAndLast(RunData.Result r) {
        Map<String, Long> byIteration = new java.util.TreeMap<>(java.util.Comparator.comparingInt(Integer::parseInt));
        for (Map<String, String> o : r.outcomes()) {
            if ("measurement".equals(o.get("phase"))) {
                byIteration.merge(o.get("iteration"), Long.parseLong(o.get("ok")), Long::sum);
            }
        }
        if (byIteration.size() < 2 || r.jmh() == null) {
            return "";
        }
        List<Long> oks = new ArrayList<>(byIteration.values());
        double seconds = r.jmh().measurementSeconds();
        return Format.number(oks.get(0) / seconds) + " → " + Format.number(oks.get(oks.size() - 1) / seconds)
                + (Findings.TimeWait.filledTheRange(r) ? " (ports held in TIME_WAIT)" : "");
    }

    private static void latencyTable(StringBuilder md, List<Group> groups) {
        if (groups.isEmpty()) {
            return;
        }
        Markdown.Table table = new Markdown.Table("configuration", "p50", "p90", "p99", "p99.9", "max", "failed attempts among the samples")
                .numeric("p50", "p90", "p99", "p99.9", "max");
        for (Group g : groups) {
            if (!g.hasData()) {
                table.row(g.label(), "not measured: " + g.first().status(), "", "", "", "", "");
                continue;
            }
            List<Object> cells = new ArrayList<>(List.of(g.label()));
            for (String p : List.of("50.0", "90.0", "99.0", "99.9", "100.0")) {
                cells.add(Format.micros(g.percentile(p)));
            }
            cells.add(failureText(g));
            table.row(cells.toArray());
        }
        md.append(table.markdown()).append("\n");
    }

    private static String failureText(Group g) {
        Map<String, Long> failed = g.failures();
        if (failed.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        failed.forEach((k, v) -> parts.add(v + " " + k));
        return String.join(", ", parts);
    }

    /** "client / server" TIME_WAIT sockets: the count at the end in fresh namespaces, the change over the configuration on two machines. */
    private static String timeWait(RunData.Result r, boolean twoMachines) {
        int column = twoMachines ? RunData.DELTA : RunData.AFTER;
        return r.clientCounter("state.TIME_WAIT", column) + " / "
                + (r.path().equals("loopback") ? "(same host)" : Long.toString(r.serverCounter("state.TIME_WAIT", column)));
    }

    private static void counters(StringBuilder md, RunData data) {
        md.append("## Kernel counters\n\n");
        boolean twoMachines = data.metadata().has("remote");
        md.append("Deltas over each configuration, from each host's /proc/net/netstat and /proc/net/snmp" + (twoMachines
                ? " (the server's read on the server machine); TIME_WAIT is the change in the socket count over the configuration, as two"
                        + " real machines keep their sockets from one configuration to the next."
                : "; TIME_WAIT is the socket count at the end.") + " TcpExt.TW counts the sockets the kernel moved to its timewait state with a timer over 4 s (__inet_twsk_schedule):"
                + " every TIME_WAIT socket, and also an orphaned FIN_WAIT_2 one when tcp_fin_timeout is over 4 s (those with 4 s or less count"
                + " in TcpExt.TWKilled instead); TWRecycled counts those connect() took over." + (twoMachines ? ""
                : " For the loopback path the server ran in the client host.") + " All counters: [kernel-counters.csv](kernel-counters.csv); per configuration: [results.csv](results.csv).\n\n");
        String tw = twoMachines ? "TIME_WAIT added (client / server)" : "TIME_WAIT at end (client / server)";
        String tcpExtTw = twoMachines ? "TcpExt.TW (client / server)" : "TcpExt.TW";
        Markdown.Table table = new Markdown.Table("configuration", "mode", "client ActiveOpens", tcpExtTw, "TWRecycled",
                tw, "ListenOverflows / ListenDrops", "RetransSegs (client / server)",
                "OutRsts (client / server)").numeric("client ActiveOpens", tcpExtTw, "TWRecycled", tw,
                "ListenOverflows / ListenDrops", "RetransSegs (client / server)", "OutRsts (client / server)");
        for (RunData.Result r : data.results()) {
            if (r.clientCounters().isEmpty()) {
                continue;
            }
            boolean loopback = r.path().equals("loopback");
            table.row(r.label() + (r.repetition() > 1 ? " (rep " + r.repetition() + ")" : ""), r.name().replace("Benchmark", "") + " " + r.mode(),
                    r.clientCounter("Tcp.ActiveOpens", RunData.DELTA), r.clientCounter("TcpExt.TW", RunData.DELTA)
                            + (twoMachines ? " / " + r.serverCounter("TcpExt.TW", RunData.DELTA) : ""),
                    r.clientCounter("TcpExt.TWRecycled", RunData.DELTA), timeWait(r, twoMachines).replace("(same host)", "-"),
                    listener(r, "TcpExt.ListenOverflows") + " / " + listener(r, "TcpExt.ListenDrops"),
                    r.clientCounter("Tcp.RetransSegs", RunData.DELTA) + " / " + (loopback ? "-" : Long.toString(r.serverCounter("Tcp.RetransSegs", RunData.DELTA))),
                    r.clientCounter("Tcp.OutRsts", RunData.DELTA) + " / " + (loopback ? "-" : Long.toString(r.serverCounter("Tcp.OutRsts", RunData.DELTA))));
        }
        md.append(table.markdown()).append("\n");
    }

    private static void chart(StringBuilder md, Drawn drawn) {
        if (drawn != null) {
            md.append(drawn.markdown(Charts.DIR));
        }
    }

    /** The Markdown as one HTML file that opens from disk without the network: PNGs are embedded. */
    static String html(String md, Path dir, String title) throws IOException {
        var extensions = List.of(TablesExtension.create());
        String body = HtmlRenderer.builder().extensions(extensions).build()
                .render(Parser.builder().extensions(extensions).build().parse(md));
        Matcher images = Pattern.compile("src=\"(" + Charts.DIR + "/[A-Za-z0-9._-]+\\.png)\"").matcher(body);
        StringBuilder inlined = new StringBuilder();
        while (images.find()) {
            Path png = dir.resolve(images.group(1));
            String src = Files.isRegularFile(png)
                    ? "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) : images.group(1);
            images.appendReplacement(inlined, Matcher.quoteReplacement("src=\"" + src + "\""));
        }
        images.appendTail(inlined);
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + title.replace("<", "&lt;") + "</title>\n<style>\n"
                + "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\n"
                + "table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto;max-width:100%}\n"
                + "th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}\n"
                // numbers to the right, and every cell wraps, so a table with an explanation column never outgrows the
                // page (commonmark writes a column's alignment as an align attribute, which text-align would override)
                + "th[align=right],td[align=right]{text-align:right}td{overflow-wrap:break-word}\n"
                + "code{overflow-wrap:anywhere}\n"
                + "img{max-width:100%;height:auto;border:1px solid #eee}\n"
                + "code,pre{background:#f5f5f5;border-radius:3px}pre{padding:.6rem;overflow-x:auto}\n"
                + "blockquote{color:#555;border-left:4px solid #ddd;margin-left:0;padding-left:1rem}\n"
                + "</style>\n</head>\n<body>\n" + inlined + "</body>\n</html>\n";
    }
}
