package tcplab.experiment.timewait.portexhaustion;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Plots;
import tcplab.kernel.TcpModel;
import tcplab.socket.CloseMode;

/** The section's figures, built from typed rows and nothing else, so a test can read their series before they are saved. */
final class Charts {
    static final String FAILED = "EADDRNOTAVAIL in that bin";

    private Charts() {
    }

    /**
     * One configuration as the figures see it: its full label (the key of its colour), its short
     * legend, how it closed, its usable ports, how long a closed connection holds its port (60 s, the
     * reuse delay with reuse in effect, 0 with an RST close), and its bins.
     */
    record Run(String configuration, String legend, CloseMode mode, int ports, long holdMillis, Bins bins) {
        static Run of(String configuration, String legend, CloseMode mode, Map<String, String> sysctls, boolean loopback, Bins bins) {
            long hold = mode == CloseMode.CLIENT_RST ? 0 : TcpModel.timeWaitReuse(sysctls, loopback) ? TcpModel.reuseDelayMillis(sysctls)
                    : TcpModel.TIME_WAIT_SECONDS * 1000L;
            return new Run(configuration, legend, mode, TcpModel.usablePorts(sysctls), hold, bins);
        }

        boolean reuse() {
            return holdMillis > 0 && holdMillis < TcpModel.TIME_WAIT_SECONDS * 1000L;
        }
    }

    /** A configuration's bins, each by its end in seconds since the client began. */
    record Bins(double[] end, double[] ok, double[] noPort, double[] timeWait, long millis) {
        /** The tenth-second bins where the run wrote them; otherwise its seconds. */
        static Bins of(List<BinRow> bins, List<SecondRow> seconds) {
            int n = bins.isEmpty() ? seconds.size() : bins.size();
            double[][] v = new double[4][n];
            for (int i = 0; i < n; i++) {
                if (bins.isEmpty()) {
                    SecondRow s = seconds.get(i);
                    v[0][i] = s.second();
                    v[1][i] = s.ok();
                    v[2][i] = s.addrNotAvailable();
                    v[3][i] = s.timeWait();
                } else {
                    BinRow b = bins.get(i);
                    v[0][i] = b.endMs() / 1000.0;
                    v[1][i] = b.ok();
                    v[2][i] = b.addrNotAvailable();
                    v[3][i] = b.timeWait();
                }
            }
            return new Bins(v[0], v[1], v[2], v[3], bins.isEmpty() ? 1000 : BinRow.MILLIS);
        }

        /**
         * Connections completed since the start, from (0, 0): a count from zero, and no log axis. A bin
         * that lasted well over its length (the client's connect() stalled, e.g. for a SYN resent after
         * 1 s) stays flat until its last bin length, so a straight line never spreads a stall's
         * connections over the stall.
         */
        double[][] opened() {
            List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
            double count = 0;
            double length = millis / 1000.0;
            for (int i = 0; i < end.length; i++) {
                double start = i == 0 ? 0 : end[i - 1];
                if (end[i] - start > 1.5 * length) {
                    points.add(new double[] {end[i] - length, count});
                }
                count += ok[i];
                points.add(new double[] {end[i], count});
            }
            return tcplab.chart.Plots.xy(points);
        }

        /** The points of {@link #opened} at the end of each bin in which connect() failed with EADDRNOTAVAIL. */
        double[][] failing() {
            List<double[]> points = new ArrayList<>();
            double count = 0;
            for (int i = 0; i < end.length; i++) {
                count += ok[i];
                if (noPort[i] > 0) {
                    points.add(new double[] {end[i], count});
                }
            }
            return Plots.xy(points);
        }

        double last() {
            return end.length == 0 ? 0 : end[end.length - 1];
        }

        String unit() {
            return millis >= 1000 ? "1 s" : millis + " ms";
        }
    }

    /**
     * Connections opened since the start, one line per configuration, against the model's ceiling: N
     * more per hold (60 s of TIME_WAIT, or the reuse delay), a staircase, or for an RST close the N
     * ports alone, which it passes. Crosses mark the bins where connect() failed with EADDRNOTAVAIL.
     * All runs share one port count and hold (one panel a model).
     */
    static XYChart opened(String title, List<Run> runs) {
        Map<String, double[][]> measured = Plots.series();
        runs.forEach(r -> measured.put(r.legend(), r.bins().opened()));
        Run first = runs.get(0);
        double end = runs.stream().mapToDouble(r -> r.bins().last()).max().orElse(1);
        Map<String, double[][]> model = Plots.series();
        model.put(ceilingName(first), first.holdMillis() == 0 ? new double[][] {{0, end}, {first.ports(), first.ports()}}
                : staircase(first.ports(), first.holdMillis() / 1000.0, end));
        XYChart chart = Plots.lines(title, "seconds since the client began (bins of " + first.bins().unit() + ")",
                "connections opened since the start", measured, model);
        chart.getStyler().setYAxisDecimalPattern("#,###"); // 1,000,000 rather than 1E6
        boolean named = false;
        for (Run r : runs) {
            double[][] f = r.bins().failing();
            if (f[0].length > 0) {
                XYSeries s = chart.addSeries(named ? FAILED + " " + r.legend() : FAILED, f[0], f[1]);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CROSS);
                s.setMarkerColor(Color.DARK_GRAY);
                s.setShowInLegend(!named);
                named = true;
            }
        }
        return chart;
    }

    static String ceilingName(Run r) {
        String n = String.format(Locale.ROOT, "%,d", r.ports());
        if (r.holdMillis() == 0) {
            return "N = " + n + " ports; model: no ceiling";
        }
        String hold = r.holdMillis() % 1000 == 0 ? r.holdMillis() / 1000 + " s" : r.holdMillis() + " ms";
        return "model: ≤ " + n + " ports per " + hold + (r.reuse() ? " reuse delay" : "");
    }

    /** At most N connections in the first hold, N more in each after: the ceiling's corners, to {@code end} seconds. */
    static double[][] staircase(int ports, double holdSeconds, double end) {
        List<double[]> corners = new ArrayList<>();
        // a step that would begin in the last 5 % of a hold before the end shows nothing but a jump
        for (int k = 0; k == 0 || k * holdSeconds < end - 0.05 * holdSeconds; k++) {
            corners.add(new double[] {k * holdSeconds, (k + 1.0) * ports});
            corners.add(new double[] {Math.min(end, (k + 1) * holdSeconds), (k + 1.0) * ports});
        }
        return Plots.xy(corners);
    }

    /** TIME_WAIT sockets in the client's host each bin, one line per configuration, against the N ports that bound them. */
    static XYChart timeWait(String title, List<Run> runs) {
        Map<String, double[][]> measured = Plots.series();
        runs.forEach(r -> measured.put(r.legend(), new double[][] {r.bins().end(), r.bins().timeWait()}));
        double end = runs.stream().mapToDouble(r -> r.bins().last()).max().orElse(1);
        Map<String, double[][]> model = Plots.series();
        runs.stream().map(Run::ports).distinct().forEach(n -> model.put(String.format(Locale.ROOT, "model: ≤ N = %,d (one per port)", n),
                new double[][] {{0, end}, {n, n}}));
        XYChart chart = Plots.lines(title, "seconds since the client began (bins of " + runs.get(0).bins().unit() + ")",
                "TIME_WAIT sockets in the client's host", measured, model);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        return chart;
    }
}
