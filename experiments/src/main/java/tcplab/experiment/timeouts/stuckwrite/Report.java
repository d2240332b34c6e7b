package tcplab.experiment.timeouts.stuckwrite;

import java.io.IOException;
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
import tcplab.experiment.timeouts.stuckwrite.OutcomeRow.Variant;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C12's report section: when each stuck write failed against tcp_retries2's model, as a table and a chart over tcp_retries2. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Map<String, TreeMap<Integer, Double>> measured = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> modelled = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("configuration", "tcp_retries2's hypothetical timeout", "model: fails after",
                "write failed after", "retransmissions", "error").numeric("tcp_retries2's hypothetical timeout", "model: fails after",
                "write failed after", "retransmissions");
        for (RunData.Result r : data.trials()) {
            Failure f = Claims.read(data, r);
            if (f == null) {
                table.row(r.label(), "", "", "not measured: " + r.status(), "", "");
                continue;
            }
            if (f.outcome().unavailable()) {
                table.row(r.label(), "", "", "not measured", "", f.outcome().error());
                continue;
            }
            table.row(r.label(), String.format(Locale.ROOT, "%.1f s", f.hypothetical()), modelCell(f),
                    f.failed() ? String.format(Locale.ROOT, "%.2f s", f.seconds()) : "did not fail", f.retransmits(), f.outcome().error());
            String series = switch (f.variant()) {
                case USER_TIMEOUT -> "TCP_USER_TIMEOUT " + f.userTimeoutMs() + " ms";
                case KEEPALIVE -> "keepalive on (1 s idle, 1 s interval, 1 probe)";
                case PLAIN -> "plain";
            };
            if (f.failed()) {
                measured.computeIfAbsent(series, k -> new TreeMap<>()).put(f.retries2(), f.seconds());
            }
            modelled.computeIfAbsent(f.variant() == Variant.USER_TIMEOUT ? series : "tcp_retries2, failure (plain and keepalive)",
                    k -> new TreeMap<>()).put(f.retries2(), f.model());
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "The client writes as fast as it can; then the server host drops"
                + " every packet. The model: the retransmission timeout doubles from the path's RTO up to 120 s; tcp_retries2 sets a"
                + " hypothetical timeout computed from the 200 ms floor, whatever the path's RTO (%.1f s for 3, %.1f s for 8, %.1f s for"
                + " the default 15: the figure usually quoted, and the documentation's lower bound). The kernel counts it from the first"
                + " retransmission and checks it only when a retransmission timer fires, so a connection fails at the first timer past it."
                + " Which timer that is, the path's RTO decides: the table gives the RTO measured from the first two timers of each run"
                + " and the failure it predicts. With an RTO of exactly 200 ms it would be a whole doubling later (%.1f s for 3, %.1f s"
                + " for 8, %.1f s for 15). Keepalive does not shorten it (a connection with data in flight is not idle);"
                + " TCP_USER_TIMEOUT, which the JDK cannot set and Netty's epoll transport can, replaces it.%n%n",
                TcpModel.retransmitTimeoutSeconds(3, 0.2, 120), TcpModel.retransmitTimeoutSeconds(8, 0.2, 120),
                TcpModel.retransmitTimeoutSeconds(15, 0.2, 120), TcpModel.retransmitFailureSeconds(3, 0.2, 120),
                TcpModel.retransmitFailureSeconds(8, 0.2, 120), TcpModel.retransmitFailureSeconds(15, 0.2, 120)));
        // the run's figure at the defaults, as the claims give it (Claims.atDefaults)
        claims.stream().map(Claim::modelAtDefaults).filter(s -> !s.isEmpty()).findFirst().ifPresent(s -> md.append(
                "On this run's path the model gives, at the default tcp_retries2 = 15: ").append(s).append(".\n\n"));
        if (!measured.isEmpty()) {
            Drawn chart = new Drawn("stuck-write", "Time until a write to a vanished peer fails, profile " + data.profile(),
                    "Points: when the client's write failed; dashed: the kernel's tcp_retries2 model (and the TCP_USER_TIMEOUT set).");
            Plots.measuredAgainstModel(chart, "tcp_retries2", "seconds after the peer vanished", measured, modelled, data.charts());
            md.append(chart.markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** The model's failure, with the timer or the RTO it comes from. */
    private static String modelCell(Failure f) {
        if (f.seen() != null) {
            return String.format(Locale.ROOT, "%.1f s (timer %d; RTO %.0f ms)", f.model(), f.seen().number(), f.path().rto() * 1000);
        }
        double[] onPath = f.onPath();
        return onPath == null ? String.format(Locale.ROOT, "%.1f s", f.model())
                : String.format(Locale.ROOT, "%.1f s (%.1f to %.1f; RTO %.0f ms)", f.model(), onPath[1], onPath[2], f.path().rto() * 1000);
    }
}
