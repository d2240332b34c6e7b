package tcplab.report;

import java.io.IOException;
import tcplab.chart.Figures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** The benchmarks' charts, drawn from the run's raw files (see {@link Plots} for how every chart looks). */
final class Charts {
    static final String DIR = "charts";

    private Charts() {
    }

    /** Complete connect/close cycles per second by configuration, with the port-range ceiling where it applies. */
    static Drawn throughput(List<Group> groups, String profile, Figures dir) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        List<Double> ceilings = new ArrayList<>();
        for (Group g : measured) {
            labels.add(g.label());
            rates.add(g.okRate());
            errors.add(nanToZero(g.okError()));
            ceilings.add(ceiling(g));
        }
        String title = "Complete connect/close cycles per second, profile " + profile;
        List<Double> withModel = new ArrayList<>(rates);
        ceilings.stream().filter(c -> !Double.isNaN(c)).forEach(withModel::add);
        CategoryChart chart = Plots.bars(title, "successful cycles / s", Plots.spansOrders(rates, errors), Plots.lowest(withModel, errors), false);
        Plots.barsWithRange(chart, "measured (mean of the measurement iterations)", labels, rates, errors, Plots.PALETTE[0]);
        if (ceilings.stream().anyMatch(c -> !Double.isNaN(c))) {
            Plots.modelMarkers(chart, "model: sustained ceiling without TIME_WAIT reuse (ports / 60 s)", labels, ceilings);
        }
        dir.save(chart, "throughput");
        return new Drawn("throughput", title, "Bars: complete cycles per second over the measurement iterations, error bars as in the"
                + " table below. Diamonds: the kernel model's sustained ceiling (ports / 60 s) for configurations whose client filled"
                + " its range with TIME_WAIT it cannot reuse; it holds from 60 s on, so a shorter measurement can stand above it.");
    }

    /** Latency percentiles by configuration. */
    static Drawn latency(List<Group> groups, String profile, Figures dir, String name, String what) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = measured.stream().map(Group::label).toList();
        String[][] percentiles = {{"50.0", "p50"}, {"90.0", "p90"}, {"99.0", "p99"}, {"99.9", "p99.9"}, {"100.0", "max"}};
        List<List<Double>> values = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (String[] p : percentiles) {
            List<Double> v = measured.stream().map(g -> g.percentile(p[0])).toList();
            values.add(v);
            all.addAll(v);
        }
        String title = what + " latency percentiles, profile " + profile;
        CategoryChart chart = Plots.bars(title, "latency per " + (name.equals("latency") ? "cycle" : "request") + " (µs)",
                Plots.spansOrders(all, List.of()), Plots.lowest(all, List.of()), true);
        for (int i = 0; i < percentiles.length; i++) {
            chart.addSeries(percentiles[i][1], labels, values.get(i)).setFillColor(Plots.PALETTE[i]);
        }
        dir.save(chart, name);
        return new Drawn(name, title, "Percentiles of single " + (name.equals("latency") ? "connect/close cycles" : "requests")
                + " (JMH SampleTime), failed attempts included where the tables say so.");
    }

    /** Requests per second: a new connection per request against one kept-alive connection. */
    static Drawn reuse(List<Group> groups, String profile, Figures dir) throws IOException {
        List<Group> measured = groups.stream().filter(Group::hasData).toList();
        if (measured.isEmpty()) {
            return null;
        }
        List<String> labels = measured.stream().map(Group::label).toList();
        List<Double> rates = measured.stream().map(Group::okRate).toList();
        List<Double> errors = measured.stream().map(g -> nanToZero(g.okError())).toList();
        String title = "1-byte requests per second: new connection vs kept-alive, profile " + profile;
        CategoryChart chart = Plots.bars(title, "requests / s", Plots.spansOrders(rates, errors), Plots.lowest(rates, errors), false);
        Plots.barsWithRange(chart, "measured", labels, rates, errors, Plots.PALETTE[2]);
        dir.save(chart, "connection-reuse");
        return new Drawn("connection-reuse", title, "Each request is one byte each way; NEW_CONNECTION opens and closes a connection for it.");
    }

    /** Complete cycles per second iteration by iteration, warmup included: where a port range runs out, it shows. */
    static Drawn iterations(List<Group> groups, String profile, Figures dir) throws IOException {
        Map<String, double[][]> series = Plots.series();
        for (Group g : groups) {
            if (!g.hasData() || g.first().outcomes().isEmpty()) {
                continue;
            }
            RunData.Result r = g.measured().get(0);
            List<Double> y = new ArrayList<>();
            for (Map<String, String> o : r.outcomes()) {
                if ("0".equals(o.get("thread"))) { // one thread's view is enough to see the shape
                    double seconds = "warmup".equals(o.get("phase")) ? r.jmh().warmupSeconds() : r.jmh().measurementSeconds();
                    y.add(Math.max(Long.parseLong(o.get("ok")), 0.5) / seconds);
                }
            }
            if (!y.isEmpty()) {
                double[] xs = new double[y.size()];
                double[] ys = new double[y.size()];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = i + 1;
                    ys[i] = y.get(i);
                }
                series.put(g.label(), new double[][] {xs, ys});
            }
        }
        if (series.isEmpty()) {
            return null;
        }
        String title = "Complete cycles per second by iteration (warmup first), profile " + profile;
        XYChart chart = Plots.lines(title, "iteration (warmup, then measurement; first repetition)", "successful cycles / s", series, null);
        dir.save(chart, "iterations");
        return new Drawn("iterations", title, "Each point is one iteration of the first repetition (thread 0);"
                + " the warmup iterations come first. A fall within a configuration is the port range filling with TIME_WAIT.");
    }

    /** The port ceiling, drawn only where it applies: the client kept TIME_WAIT it could not reuse and filled the range with it. */
    private static double ceiling(Group g) {
        RunData.Result r = g.measured().get(0);
        return Findings.TimeWait.filledTheRange(r) ? TcpModel.portCeilingPerSecond(TcpModel.portCount(r.sysctls())) : Double.NaN;
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
