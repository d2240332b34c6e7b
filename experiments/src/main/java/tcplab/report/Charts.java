package tcplab.report;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tcplab.chart.Figures;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/** The benchmarks' charts, drawn from the run's raw files (see {@link Plots} for how every chart looks). */
final class Charts {
    static final String DIR = "charts";
    /** Plain numbers on every axis, log ones too: "10,000", not "1E4". */
    static final String NUMBERS = "#,###.##";
    private static final Color HELD = new Color(200, 200, 200);

    private Charts() {
    }

    /** One bar per configuration of a Throughput benchmark: what it sustained, a collapse drawn as one, error bars only from repetitions. */
    record Bars(List<String> categories, List<String> labels, List<Double> rates, List<Double> errors, List<Double> before,
                List<Double> ceilings, List<String> notes) {

        static Bars of(List<Group> measured) {
            boolean anyRepeated = measured.stream().anyMatch(Group::repeated);
            Bars b = new Bars(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            double longest = Double.NaN; // the longest run the ceiling was left off, for the note
            int ports = 0;
            for (Group g : measured) {
                boolean collapsed = Collapse.of(g.first()).collapsed();
                java.util.function.ToDoubleFunction<RunData.Result> rate = r -> {
                    Collapse c = Collapse.of(r);
                    return c.collapsed() && !Double.isNaN(c.after()) ? c.after() : r.jmh().counter("ok");
                };
                double fellBy = g.measured().stream().mapToDouble(r -> Collapse.of(r).fellBy()).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
                String category = g.label() + (collapsed ? " · fell by " + seconds(fellBy) : "")
                        + (anyRepeated && !g.repeated() ? " · ±n/a" : "");
                b.categories.add(category);
                b.labels.add(g.label());
                b.rates.add(g.mean(rate));
                b.errors.add(g.repeated() ? g.error(rate, r -> Double.NaN) : Double.NaN);
                b.before.add(collapsed ? g.mean(r -> Collapse.of(r).before()) : null);
                b.ceilings.add(ceiling(g));
                if (Findings.TimeWait.filledTheRange(g.first()) && Double.isNaN(ceiling(g))) {
                    longest = Double.isNaN(longest) ? Collapse.of(g.first()).length() : Math.max(longest, Collapse.of(g.first()).length());
                    ports = TcpModel.portCount(g.first().sysctls());
                }
            }
            if (!anyRepeated) {
                b.notes.add("±n/a: each ran once, no error bars");
            }
            if (!Double.isNaN(longest)) {
                b.notes.add(String.format(Locale.ROOT, "ports/60 s = %s/s holds from %d s on", Format.number(TcpModel.portCeilingPerSecond(ports)),
                        TcpModel.TIME_WAIT_SECONDS));
                b.notes.add("runs of at most " + seconds(longest) + ": model not drawn");
            }
            return b;
        }

        List<Double> withModel() {
            List<Double> all = new ArrayList<>(rates);
            before.stream().filter(v -> v != null).forEach(all::add);
            ceilings.stream().filter(c -> !Double.isNaN(c)).forEach(all::add);
            return all;
        }
    }

    /** Complete connect/close cycles per second by configuration, with the port-range ceiling where it applies. */
    static Drawn throughput(List<Group> groups, String profile, Figures dir) throws IOException {
        return rates(groups, dir, "throughput", "How many connect/close cycles per second does each configuration sustain?", "successful cycles / s",
                "Bars: complete cycles per second in the measurement iterations; where the client filled its port range with TIME_WAIT"
                        + " and the rate fell (\"fell by\": seconds since the warmup began), the bar is the rate after the fall and the"
                        + " triangle the first warmup iteration's, before it, not their mean (the table's mean mixes the two). Error bars span the repetitions"
                        + (dir.context().twoMachines() ? ";" : " (each in fresh namespaces);")
                        + " \"±n/a\" marks a configuration that ran once. Diamonds: the kernel model's sustained ceiling (ports / 60 s),"
                        + " only where a run lasted past the 60 s it takes to hold.");
    }

    /** Requests per second: a new connection per request against one kept-alive connection. */
    static Drawn reuse(List<Group> groups, String profile, Figures dir) throws IOException {
        return rates(groups, dir, "connection-reuse", "How many 1-byte requests per second: a new connection each, or one kept alive?",
                "requests / s", "Each request is one byte each way; NEW_CONNECTION opens and closes a connection for it. Bars, triangles,"
                        + " error bars and \"±n/a\" as in the throughput chart.");
    }

    private static Drawn rates(List<Group> groups, Figures dir, String name, String title, String yTitle, String caption) throws IOException {
        CategoryChart chart = ratesChart(groups, dir, title, yTitle);
        if (chart == null) {
            return null;
        }
        dir.save(chart, name);
        return new Drawn(name, title, caption);
    }

    /** The bars of a Throughput benchmark, before they are saved; null when nothing was measured. */
    static CategoryChart ratesChart(List<Group> groups, Figures dir, String title, String yTitle) {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        Bars b = Bars.of(measured);
        List<Double> lows = new ArrayList<>();
        for (int i = 0; i < b.rates().size(); i++) {
            lows.add(Double.isNaN(b.errors().get(i)) ? 0 : b.errors().get(i));
        }
        CategoryChart chart = Plots.bars(title, yTitle, Plots.spansOrders(b.rates(), lows), Plots.lowest(b.withModel(), lows), false,
                b.categories().size());
        chart.getStyler().setYAxisDecimalPattern(NUMBERS);
        Plots.configurationBars(chart, b.categories(), b.labels(), b.rates(), dir);
        Plots.range(chart, "spread of the repetitions", b.categories(), b.rates(), b.errors());
        if (b.before().stream().anyMatch(v -> v != null)) {
            CategorySeries first = chart.addSeries("first warmup iteration, before the fall", b.categories(), b.before());
            first.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            first.setMarker(SeriesMarkers.TRIANGLE_UP);
            first.setMarkerColor(Color.DARK_GRAY);
        }
        if (b.ceilings().stream().anyMatch(c -> !Double.isNaN(c))) {
            Plots.modelMarkers(chart, "model: ports / 60 s, from 60 s on", b.categories(), b.ceilings());
        }
        b.notes().forEach(n -> Plots.note(chart, n, b.categories()));
        return chart;
    }

    /** Latency percentiles by configuration, each configuration's tail named where the counters explain it. */
    static Drawn latency(List<Group> groups, String profile, Figures dir, String name, String what) throws IOException {
        boolean cycle = name.equals("latency");
        CategoryChart chart = latencyChart(groups, cycle);
        if (chart == null) {
            return null;
        }
        dir.save(chart, name);
        return new Drawn(name, chart.getTitle(), "Percentiles of single " + (cycle ? "connect/close cycles" : "requests")
                + " (JMH SampleTime), failed attempts included where the tables say so. Beside a configuration, what its counters say made"
                + " its tail: \"connect() scans held ports\" where its client filled the port range with TIME_WAIT it could not reuse"
                + " (once one parity of the range is held, each connect() examines those ports before it finds a free one;"
                + " \"every cycle\" when the range filled in the warmup), a dropped SYN or a retransmission where those counters moved."
                + " A tail with no such note has no TCP timer behind it: " + (dir.context().twoMachines()
                ? "scheduling and JVM pauses on either machine show up there." : "client, server and kernel share two CPUs."));
    }

    /** The percentiles of a SampleTime benchmark, before they are saved; null when nothing was measured. */
    static CategoryChart latencyChart(List<Group> groups, boolean cycle) {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        for (Group g : measured) {
            Findings.Tail tail = Findings.tail(g);
            labels.add(g.label() + (tail == Findings.Tail.NONE ? "" : " · " + tail.note));
        }
        String[][] percentiles = {{"50.0", "p50"}, {"90.0", "p90"}, {"99.0", "p99"}, {"99.9", "p99.9"}, {"100.0", "max"}};
        List<List<Double>> values = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (String[] p : percentiles) {
            List<Double> v = measured.stream().map(g -> g.percentile(p[0])).toList();
            values.add(v);
            all.addAll(v);
        }
        String title = cycle ? "How long does one connect/close cycle take, and what makes its tail?"
                : "How long does one 1-byte request take: a new connection each, or one kept alive?";
        CategoryChart chart = Plots.bars(title, "latency per " + (cycle ? "cycle" : "request") + " (µs)",
                Plots.spansOrders(all, List.of()), Plots.lowest(all, List.of()), true, labels.size());
        chart.getStyler().setYAxisDecimalPattern(NUMBERS);
        for (int i = 0; i < percentiles.length; i++) {
            // percentiles are an order, not configurations: one blue from light to dark, so no bar reads as a configuration's colour
            chart.addSeries(percentiles[i][1], labels, values.get(i)).setFillColor(Color.getHSBColor(0.58f, 0.3f + 0.15f * i, 0.95f - 0.13f * i));
        }
        return chart;
    }

    /** Complete cycles per second iteration by iteration, warmup included: where a port range runs out, it shows. */
    static Drawn iterations(List<Group> groups, String profile, Figures dir) throws IOException {
        XYChart chart = iterationsChart(groups, dir);
        if (chart == null) {
            return null;
        }
        dir.save(chart, "iterations");
        return new Drawn("iterations", chart.getTitle(), "Each level is one iteration of the first repetition (all threads): its mean rate over its length;"
                + " left of the vertical line is the warmup, which the throughput chart and tables leave out. A fall within a configuration"
                + " is its port range filling with TIME_WAIT: connect() then scans the held ports before it finds a free one.");
    }

    /** The iterations chart, before it is saved; null when no configuration left outcomes. */
    static XYChart iterationsChart(List<Group> groups, Figures dir) {
        Map<String, double[][]> series = Plots.series();
        Map<String, double[][]> held = Plots.series();
        List<Double> measurementStarts = new ArrayList<>();
        double top = 0;
        for (Group g : groups) {
            if (!g.hasData() || g.first().outcomes().isEmpty()) {
                continue;
            }
            Collapse c = Collapse.of(g.measured().get(0));
            if (c.rates().length == 0) {
                continue;
            }
            // each iteration a level from its start to its end: its mean rate, as JMH measured it, with no slope it did not have
            double[] xs = new double[2 * c.rates().length];
            double[] ys = new double[xs.length];
            for (int i = 0; i < c.rates().length; i++) {
                xs[2 * i] = c.starts()[i];
                xs[2 * i + 1] = c.starts()[i] + c.durations()[i];
                ys[2 * i] = Math.max(c.rates()[i], 0.5 / c.durations()[i]); // a log axis has no zero: half a cycle stands for none
                ys[2 * i + 1] = ys[2 * i];
                top = Math.max(top, ys[2 * i]);
            }
            (c.collapsed() ? series : held).put(g.label(), new double[][] {xs, ys});
            if (c.warmup() < c.starts().length) {
                measurementStarts.add(c.starts()[c.warmup()]);
            }
        }
        if (series.isEmpty() && held.isEmpty()) {
            return null;
        }
        // many lines that hold their rate hide the ones that fall: past a handful, those that held are one grey, in one legend entry
        boolean greyHeld = series.size() + held.size() > 8 && !held.isEmpty();
        List<String> grey = new ArrayList<>();
        for (Map.Entry<String, double[][]> h : held.entrySet()) {
            String name = greyHeld && grey.isEmpty() ? "held their rate: " + held.size() + " configurations" : h.getKey();
            series.put(name, h.getValue());
            if (greyHeld) {
                grey.add(name);
            }
        }
        String title = "Does each configuration's rate hold from the first iteration to the last?";
        XYChart chart = Plots.lines(title, "time since the warmup began (s)", "successful cycles / s, all threads", series, null);
        chart.getStyler().setYAxisDecimalPattern(NUMBERS);
        chart.getStyler().setXAxisMin(0.0);
        for (org.knowm.xchart.XYSeries line : chart.getSeriesCollection()) {
            line.setMarker(SeriesMarkers.NONE);
            boolean isGrey = grey.contains(line.getName());
            line.setLineColor(isGrey ? HELD : dir.colour(line.getName()));
            line.setShowInLegend(!isGrey || line.getName().equals(grey.get(0)));
        }
        Plots.phaseLines(chart, measurementStarts);
        for (double x : measurementStarts.stream().distinct().toList()) {
            chart.addAnnotation(new Plots.Label("← warmup | measurement →", x, top, false));
        }
        return chart;
    }

    /**
     * The port ceiling, drawn only where the model applies: the client kept TIME_WAIT it could not reuse,
     * filled the range with it, and ran past the {@value TcpModel#TIME_WAIT_SECONDS} s after which TIME_WAIT
     * sockets expire as fast as new ones come (before that, the rate is the scan's, not the ceiling's).
     */
    private static double ceiling(Group g) {
        RunData.Result r = g.measured().get(0);
        Collapse c = Collapse.of(r);
        boolean pastExpiry = c.starts().length > 0 && c.starts()[c.starts().length - 1] >= TcpModel.TIME_WAIT_SECONDS;
        return Findings.TimeWait.filledTheRange(r) && pastExpiry ? TcpModel.portCeilingPerSecond(TcpModel.portCount(r.sysctls())) : Double.NaN;
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, s < 10 ? "%.1f s" : "%.0f s", s);
    }
}
