package tcplab.experiment.serverside.listenportcollision;

import java.awt.BasicStroke;
import java.awt.Font;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Figures;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.experiment.serverside.Binomial;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.experiment.serverside.listenportcollision.Claims.Tally;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C8's report section: the share of failed binds by port and occupancy, measured and modelled. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        // one chart per port range: the model's kink sits where the first parity's ports run out
        Map<List<Integer>, List<Point>> byRange = new LinkedHashMap<>();
        Markdown.Table table = new Markdown.Table("configuration", "connections / usable ports", "port", "trials", "bind failed", "model",
                "failed without an outgoing connection on the port").numeric("trials", "bind failed", "model",
                "failed without an outgoing connection on the port");
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "");
                continue;
            }
            int[] byParity = TcpModel.usablePortsByParity(r.sysctls());
            int usable = byParity[0] + byParity[1];
            Map<Case, Tally> tallies = Claims.tally(BindRow.TABLE.read(data, r));
            Map<Case, Integer> ports = ListenPortCollisionExperiment.ports(r.sysctls());
            tallies.forEach((c, t) -> {
                double occupancy = 100.0 * t.connections() / usable;
                double p = Claims.model(c, t.connections(), byParity);
                byRange.computeIfAbsent(List.of(byParity[0], byParity[1]), k -> new ArrayList<>()).add(new Point(c, occupancy, t.trials(),
                        t.failed()));
                table.row(r.label(), String.format(Locale.ROOT, "%d / %d (%.0f%%)", t.connections(), usable, occupancy),
                        ports.getOrDefault(c, 0) + ", " + c.text, t.trials(), String.format(Locale.ROOT, "%d (%.0f%%)", t.failed(),
                                100 * t.rate()), String.format(Locale.ROOT, "%.0f%%", 100 * p), t.failedNotHeld());
            });
        }
        StringBuilder md = new StringBuilder("The client host holds outgoing connections on a share of its port range, then a server"
                + " tries to listen on four of its ports; the connections are reset and the trial repeats. connect() tries the"
                + " ports of one parity first (that of the range's low end), so a port's chance of being taken depends on its parity;"
                + " averaged over both it is the share of the range in use. Ports below the range or listed in"
                + " ip_local_reserved_ports are never taken.\n\n");
        int i = 0;
        for (Map.Entry<List<Integer>, List<Point>> range : byRange.entrySet()) {
            String name = "listen-port-collision" + (i++ == 0 ? "" : "-" + i);
            md.append(chart(data, name, range.getValue(), new int[] {range.getKey().get(0), range.getKey().get(1)}));
        }
        md.append(table.markdown()).append("\n");
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    /** One port's trials at one occupancy (percent of the usable ports held). */
    record Point(Case portCase, double occupancy, int trials, int failed) {
        double percent() {
            return 100.0 * failed / trials;
        }
    }

    static final String TITLE = "How often does an outgoing connection take a server's port?";

    private static String chart(ExperimentData data, String name, List<Point> points, int[] byParity) throws IOException {
        data.charts().save(chart(points, byParity, data.charts()), name);
        return new Drawn(name, TITLE, String.format(Locale.ROOT, "Share of trials in which a server could not listen, by port and by"
                + " the share of the usable range (%d ports: %d of the parity tried first, %d of the other) held by outgoing"
                + " connections. Dashed: the model, with its kink where the first parity runs out; whiskers: 3 binomial standard"
                + " deviations plus half a trial, the band the claims allow.", byParity[0] + byParity[1], byParity[0], byParity[1]))
                .markdown("charts");
    }

    /** Short names for the legend. */
    private static String label(Case c) {
        return switch (c) {
            case FIRST_PARITY -> "parity tried first";
            case OTHER_PARITY -> "other parity";
            case BELOW_RANGE -> "below the range";
            case RESERVED -> "reserved port";
        };
    }

    /**
     * The measured share of each port as points with their binomial whiskers, against the model drawn
     * at every connection count so its kink shows: each parity's line bends where the first parity's
     * ports are all taken (n = E).
     */
    static XYChart chart(List<Point> points, int[] byParity, Figures figures) {
        Map<String, double[][]> series = Plots.series();
        Map<String, double[][]> model = Plots.series();
        Map<Case, List<Point>> byCase = new EnumMap<>(Case.class);
        points.forEach(p -> byCase.computeIfAbsent(p.portCase(), k -> new ArrayList<>()).add(p));
        byCase.values().forEach(list -> list.sort(Comparator.comparingDouble(Point::occupancy)));
        byCase.forEach((c, list) -> series.put("measured: " + label(c), Plots.xy(list.stream().map(p -> new double[] {p.occupancy(),
                p.percent()}).toList())));
        model.put("model: parity tried first, min(1, n/E)", model(Case.FIRST_PARITY, byParity));
        model.put("model: other parity, max(0, (n−E)/O)", model(Case.OTHER_PARITY, byParity));
        if (byCase.containsKey(Case.BELOW_RANGE) || byCase.containsKey(Case.RESERVED)) {
            model.put("model: below the range or reserved, 0", new double[][] {{0, 100}, {0, 0}});
        }
        XYChart chart = Plots.points(TITLE, "usable port range held by outgoing connections (%)",
                "trials where the server's bind() failed (%)", series, model);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(100.0).setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setXAxisDecimalPattern("#0").setYAxisDecimalPattern("#0");
        chart.getStyler().setMarkerSize(9);
        Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.CROSS};
        for (Case c : byCase.keySet()) {
            chart.getSeries("measured: " + label(c)).setMarker(markers[c.ordinal()]);
        }
        // which dashed line is which parity, written beside each: the legend alone cannot tell two red dashes apart
        double kink = 100.0 * byParity[0] / (byParity[0] + byParity[1]);
        chart.addAnnotation(new Plots.Label("parity tried first", kink * 0.3, 62, false));
        chart.addAnnotation(new Plots.Label("other parity", kink + (100 - kink) * 0.72, 38, false));
        chart.getStyler().setAnnotationTextFontColor(Plots.MODEL);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        Plots.colourBy(chart, figures);
        byCase.forEach((c, list) -> {
            // whiskers as one line broken by NaN: each point's band, clipped to 0–100 %
            List<double[]> whiskers = new ArrayList<>();
            for (Point p : list) {
                double tol = 100 * Binomial.tolerance(p.failed() / (double) p.trials(), p.trials());
                whiskers.add(new double[] {p.occupancy(), Math.max(0, p.percent() - tol)});
                whiskers.add(new double[] {p.occupancy(), Math.min(100, p.percent() + tol)});
                whiskers.add(new double[] {p.occupancy(), Double.NaN});
            }
            double[][] xy = Plots.xy(whiskers);
            XYSeries w = chart.addSeries("whiskers: " + label(c), xy[0], xy[1]);
            w.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            w.setMarker(SeriesMarkers.NONE);
            w.setLineColor(figures.colour(label(c)));
            w.setLineStyle(new BasicStroke(1.5f));
            w.setShowInLegend(false);
        });
        return chart;
    }

    /**
     * The model's percent for a parity against percent held: straight between its vertices, so the
     * curve has them all (none held, the kink at n = E where the first parity's ports run out, all
     * held) and a vertex every 5 % besides.
     */
    static double[][] model(Case c, int[] byParity) {
        int usable = byParity[0] + byParity[1];
        TreeSet<Integer> at = new TreeSet<>(List.of(0, byParity[0], usable));
        for (int k = 1; k < 20; k++) {
            at.add((int) Math.round(usable * k / 20.0));
        }
        return Plots.xy(at.stream().map(n -> new double[] {100.0 * n / usable, 100 * Claims.model(c, n, byParity)}).toList());
    }
}
