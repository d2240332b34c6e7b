package tcplab.experiment.timeouts.connecttimeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;

/** C10's report section: the SYN schedule each configuration predicts against what connect() did, as a table and a chart over tcp_syn_retries. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<String, TreeMap<Integer, Double>> measured = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> modelled = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("configuration", "model: SYNs sent at", "model: fails at", "measured",
                "SYNs sent (model / dropped)", "retransmissions seen at").numeric("model: fails at", "measured");
        for (RunData.Result r : data.trials()) {
            List<AttemptRow> attempts = AttemptRow.TABLE.read(data, r);
            if (!r.ok() || attempts.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            int connectTimeout = data.params(r).integer("connectTimeout");
            Model m = Model.of(r.sysctls(), connectTimeout);
            List<TotalsRow> totals = TotalsRow.TABLE.read(data, r);
            String series = (m.appWins() ? "application timeout " + connectTimeout + " ms" : "kernel") + ", linear timeouts " + m.linear();
            measured.computeIfAbsent(series, k -> new TreeMap<>()).put(m.retries(), Claims.mean(attempts));
            modelled.computeIfAbsent(series, k -> new TreeMap<>()).put(m.retries(), m.failsAfter());
            String sends = m.appWins() ? Model.schedule(Arrays.copyOf(m.kernel().sendTimes(), m.syns())) + ", then the application gives up"
                    : Model.schedule(m.kernel().sendTimes());
            table.row(r.label(), sends, String.format(Locale.ROOT, "%.1f s", m.failsAfter()),
                    String.join(", ", attempts.stream().map(a -> String.format(Locale.ROOT, "%.2f s", a.seconds())).toList()),
                    m.syns() + " / " + (totals.isEmpty() ? "?" : Long.toString(totals.get(0).synsDropped() / attempts.size())),
                    retransmissionTimes(SynRow.TABLE.read(data, r), attempts.get(0)));
        }
        StringBuilder md = new StringBuilder("The server host drops every SYN to the server's port; the client connects with no timeout of"
                + " its own, or with one. The model (net/ipv4/tcp_timer.c, Documentation/networking/ip-sysctl.rst): SYN timeouts start"
                + " at 1 s, the first tcp_syn_linear_timeouts retransmissions keep it, then it doubles up to tcp_rto_max_ms; when a"
                + " timeout fires, connect() fails if tcp_syn_retries + tcp_syn_linear_timeouts retransmissions were made or"
                + " 2^(tcp_syn_retries + 1) - 1 s have passed since the first SYN. tcp_syn_linear_timeouts (added in 2023) mostly sends"
                + " more SYNs early rather than changing the wait: with the defaults, 6 and 4, the last SYN goes out at 67 s instead of"
                + " 63 s and connect() fails after 131 s instead of the 127 s older write-ups give; with 1 or 2 retries the time limit"
                + " ends it at 3 or 7 s either way. An application timeout shorter than that wins.\n\n");
        if (!measured.isEmpty()) {
            Drawn chart = new Drawn("connect-timeout", "Time until connect() fails when SYNs are dropped, profile " + data.profile(),
                    "Points: the measured time to failure; dashed: the kernel's schedule (or the application's timeout where it is shorter).");
            Plots.measuredAgainstModel(chart, "tcp_syn_retries", "seconds until connect() fails", measured, modelled, data.charts());
            md.append(chart.markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** When the kernel counted each retransmission of the first attempt, seconds after its connect() began. */
    private static String retransmissionTimes(List<SynRow> syns, AttemptRow first) {
        List<String> at = new ArrayList<>();
        for (SynRow s : syns) {
            if (s.attempt() == 1 && s.retransmits() != 0) {
                at.add(String.format(Locale.ROOT, "%.2f", (s.atMs() - first.startMs()) / 1000.0));
            }
        }
        return at.isEmpty() ? "" : String.join(", ", at) + " s";
    }
}
