package tcplab.experiment.timeouts.stuckwrite;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.results.Format;
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

/** C12's report section: when each stuck write failed against tcp_retries2's model, as a table and a retransmission timeline per configuration. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        List<Failure> drawn = new ArrayList<>();
        List<List<RetransmitRow>> retransmits = new ArrayList<>();
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
            drawn.add(f);
            retransmits.add(RetransmitRow.TABLE.read(data, r));
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
        if (!drawn.isEmpty()) {
            Drawn chart = new Drawn("stuck-write", TITLE, "One row per configuration, seconds after the server host began dropping"
                    + " everything: circles, each retransmission, dated by the retransmission timer the socket table showed before it, with the"
                    + " timeout that preceded it written under it, in seconds; red diamonds,"
                    + " the model's retransmissions (the RTO measured on the path, doubling, at most 120 s); black stroke, when the"
                    + " write failed; red dashed, when the model fails it (tcp_retries2, or TCP_USER_TIMEOUT).");
            XYChart c = chart(drawn, retransmits);
            Plots.colourBy(c, data.charts());
            blacken(c);
            data.charts().save(c, chart.name());
            md.append(chart.markdown("charts"));
        }
        md.append(table.markdown()).append("\n");
        Drawn ladder = Ladders.draw(data);
        if (ladder != null) {
            md.append(ladder.markdown("charts"));
        }
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    static final String FAILED = "measured: the write failed";
    static final String CENSORED = "not failed by the last row seen";
    static final String TITLE = "When does a write to a vanished peer give up, and when is each retransmission sent?";

    /** A row's name: the variant and the setting that ends it, short enough for a legend. */
    static String label(Failure f) {
        return switch (f.variant()) {
            case USER_TIMEOUT -> "TCP_USER_TIMEOUT=" + f.userTimeoutMs() + " ms";
            case KEEPALIVE -> "tcp_retries2=" + f.retries2() + ", keepalive on";
            case PLAIN -> "tcp_retries2=" + f.retries2();
        };
    }

    /**
     * The retransmission timeline: per configuration (a row), each retransmission seen (above the row's
     * line, its RTO written under the row) against the model's (below), the measured failure (censored
     * at the last row seen when the write never failed) and the model's. Log time when the run spans
     * orders of magnitude (tcp_retries2 = 15 fails after 15 min; its first retransmission comes at 0.2 s).
     */
    static XYChart chart(List<Failure> failures, List<List<RetransmitRow>> rows) {
        List<double[]> modelSends = new ArrayList<>();
        List<double[]> modelFails = new ArrayList<>();
        List<double[]> failed = new ArrayList<>();
        List<double[]> censored = new ArrayList<>();
        List<List<double[]>> seen = new ArrayList<>();
        List<String[]> rtos = new ArrayList<>();
        double end = 0;
        for (int row = 0; row < failures.size(); row++) {
            Failure f = failures.get(row);
            long fault = f.outcome().faultMs() == null ? 0 : f.outcome().faultMs();
            List<double[]> points = new ArrayList<>();
            double last = 0;
            // a retransmission fires when the timer the socket table showed before it runs out: the row before it, read at
            // most 50 ms late, dates it to the jiffy, and the gap to the one before is the timeout that preceded it
            List<RetransmitRow> sampled = rows.get(row);
            Double previous = null;
            for (int i = 0; i < sampled.size(); i++) {
                RetransmitRow r = sampled.get(i);
                last = Math.max(last, (r.atMs() - fault) / 1000.0);
                boolean confirmed = i + 1 < sampled.size() && sampled.get(i + 1).retransmits() == r.retransmits() + 1;
                if (fault > 0 && r.timerMs() > 0 && confirmed) {
                    double at = (r.atMs() + r.timerMs() - fault) / 1000.0;
                    points.add(new double[] {at, -row + 0.1});
                    if (previous != null) {
                        rtos.add(new String[] {Format.number(at - previous), Double.toString(at), Integer.toString(row)});
                    }
                    previous = at;
                }
            }
            seen.add(points);
            for (double at : f.modelSends()) {
                modelSends.add(new double[] {at, -row - 0.1});
            }
            modelFails.add(new double[] {f.model(), -row - 0.3, -row - 0.02});
            if (f.failed()) {
                failed.add(new double[] {f.seconds(), -row + 0.02, -row + 0.26});
            } else if (last > 0) {
                censored.add(new double[] {last, -row + 0.1});
            }
            end = Math.max(end, Math.max(f.model(), f.failed() ? f.seconds() : last));
        }
        boolean log = end > 20;
        double from = log ? 0.1 : 0;
        end *= log ? 1.5 : 1.05;
        List<String> labels = Plots.unique(failures.stream().map(Report::label).toList());
        XYChart chart = Plots.timeline(TITLE, "seconds after the peer vanished", labels, log,
                log ? Math.sqrt(from * end) : end / 2);
        chart.getStyler().setXAxisMin(from);
        chart.getStyler().setXAxisMax(end);
        for (int row = 0; row < failures.size(); row++) {
            Plots.marks(chart, labels.get(row), seen.get(row), SeriesMarkers.CIRCLE, Plots.PALETTE[row % Plots.PALETTE.length]);
        }
        chart.getStyler().setAnnotationTextFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
        for (String[] rto : rtos) { // the timeout that preceded each retransmission
            chart.addAnnotation(new Plots.Label(rto[0], Double.parseDouble(rto[1]), -Integer.parseInt(rto[2]) - 0.36, false));
        }
        Plots.marks(chart, "model: retransmission", modelSends, SeriesMarkers.DIAMOND, Plots.MODEL);
        Plots.strokes(chart, "model: the write fails", modelFails, true, Plots.MODEL);
        Plots.strokes(chart, FAILED, failed, false, Color.BLACK);
        Plots.marks(chart, CENSORED, censored, new Plots.Censored(false), Color.BLACK);
        return chart;
    }

    /** What is no configuration's: the measured failures, black again after {@link Plots#colourBy}. */
    static void blacken(XYChart chart) {
        for (String name : List.of(FAILED, CENSORED)) {
            XYSeries s = chart.getSeries(name);
            if (s != null) {
                s.setLineColor(Color.BLACK);
                s.setMarkerColor(Color.BLACK);
            }
        }
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
