package tcplab.report;

import java.io.IOException;
import tcplab.chart.Figures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timewait.portexhaustion.PortExhaustionExperiment;
import tcplab.results.RunData;

/**
 * The comparison's charts: one colour per run in every chart (the runs' order picks it, and a run
 * missing from a chart keeps its colour unused), model and measured as in the runs' own reports.
 */
final class ComparisonCharts {
    /** Experiments whose claims are times until something fails or is noticed. */
    static final List<String> TIMEOUT_EXPERIMENTS = List.of("connect-timeout", "accept-overflow", "dead-peer", "stuck-write");

    private final List<Comparison.Run> runs;
    private final Figures dir;

    ComparisonCharts(List<Comparison.Run> runs, Figures dir) {
        this.runs = runs;
        this.dir = dir;
    }

    private String subtitle() {
        return String.join(" vs ", runs.stream().map(Comparison.Run::name).toList());
    }

    /**
     * Side-by-side bars, a series per run, a category per row. XChart's error bars are drawn only
     * on a linear axis (on a log axis it draws them wrongly, see {@link Plots#barsWithRange}); the
     * tables give the errors either way.
     */
    Drawn bars(String name, String title, String yTitle, List<Comparison.Row> rows, boolean errorBars) throws IOException {
        return bars(name, title, yTitle, rows, errorBars, Comparison.Row::item);
    }

    private Drawn bars(String name, String title, String yTitle, List<Comparison.Row> rows, boolean errorBars,
                       Function<Comparison.Row, String> label) throws IOException {
        List<Comparison.Row> drawn = rows.stream().filter(r -> r.cells().values().stream().anyMatch(c -> !Double.isNaN(c.value()))).toList();
        if (drawn.isEmpty()) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> allErrors = new ArrayList<>();
        for (Comparison.Row r : drawn) {
            labels.add(label.apply(r));
            r.cells().values().forEach(c -> {
                if (!Double.isNaN(c.value())) {
                    all.add(c.value());
                    allErrors.add(errorBars && !Double.isNaN(c.error()) ? c.error() : 0);
                }
            });
        }
        boolean log = Plots.spansOrders(all, allErrors);
        String fullTitle = title + ": " + subtitle();
        CategoryChart chart = Plots.bars(fullTitle, yTitle, log, Plots.lowest(all, allErrors), true);
        boolean withErrors = errorBars && !log;
        for (int i = 0; i < runs.size(); i++) {
            List<Double> values = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            boolean any = false;
            for (Comparison.Row r : drawn) {
                Comparison.Cell c = r.cells().get(i);
                boolean has = c != null && !Double.isNaN(c.value());
                any |= has;
                // a missing value is a gap: XChart skips null, and a log axis cannot take zero
                values.add(has ? c.value() : null);
                errors.add(has && withErrors && !Double.isNaN(c.error()) ? c.error() : 0.0);
            }
            if (!any) {
                continue;
            }
            boolean gaps = values.contains(null); // XChart's error bars need a value in every category
            var series = withErrors && !gaps ? chart.addSeries(runs.get(i).name(), labels, values, errors)
                    : chart.addSeries(runs.get(i).name(), labels, values);
            series.setFillColor(runs.get(i).colour());
        }
        if (withErrors) {
            chart.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
        }
        dir.save(chart, name);
        return new Drawn(name, fullTitle, "One colour per profile, as in every chart of this comparison."
                + (withErrors ? " Error bars: each run's spread (see the table)." : errorBars ? " Log scale; the table gives each run's spread." : ""));
    }

    /** For each port-exhaustion configuration, new connections per second over time, a line per run. */
    List<Drawn> exhaustion() throws IOException {
        var experiment = ExperimentCatalog.find("port-exhaustion");
        Map<String, Map<Integer, double[][]>> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            ExperimentData data = new ExperimentData(runs.get(i).data(), experiment);
            for (RunData.Result r : data.trials()) {
                if (r.ok() && r.repetition() == 1) {
                    byLabel.computeIfAbsent(r.label(), k -> new LinkedHashMap<>()).put(i, PortExhaustionExperiment.rate(data, r));
                }
            }
        }
        List<Drawn> drawn = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, Map<Integer, double[][]>> e : byLabel.entrySet()) {
            Map<String, double[][]> series = Plots.series();
            for (int i = 0; i < runs.size(); i++) {
                // every run gets its entry, empty where it lacks this configuration, so its colour is the same in every chart
                series.put(runs.get(i).name(), e.getValue().getOrDefault(i, new double[][] {{}, {}}));
            }
            String name = "exhaustion-" + (++n);
            String title = "New connections per second, " + e.getKey() + ": " + subtitle();
            // the chart's own title stays short enough to fit; the legend names the profiles
            XYChart chart = Plots.lines("Connections/s, " + e.getKey(), "second", "complete connections / s", series, null);
            if (!chart.getStyler().isYAxisLogarithmic()) {
                chart.getStyler().setYAxisMin(0.0); // a rate from zero: a close-up would make noise look like a difference
            }
            dir.save(chart, name);
            drawn.add(new Drawn(name, title, "Complete connections each second (first repetition), one line per profile; the sysctls in the"
                    + " title are the plan's, the rest are each profile's (see the settings table)."));
        }
        return drawn;
    }

    /**
     * A chart per timeout experiment: seconds until the failure was noticed, by profile. A category
     * is named by the conditions that vary between the experiment's rows (the table has them all).
     */
    List<Drawn> timeouts(List<Comparison.Row> rows) throws IOException {
        List<Drawn> drawn = new ArrayList<>();
        for (String experiment : TIMEOUT_EXPERIMENTS) {
            List<Comparison.Row> mine = rows.stream().filter(r -> r.item().matches("C\\d+ " + experiment + "( .*)?")).toList();
            Map<String, Set<String>> values = new LinkedHashMap<>();
            for (Comparison.Row r : mine) {
                for (String pair : conditions(r)) {
                    values.computeIfAbsent(pair.substring(0, Math.max(0, pair.indexOf('='))), k -> new TreeSet<>()).add(pair);
                }
            }
            Set<String> metrics = new TreeSet<>(mine.stream().map(Comparison.Row::metric).toList());
            Function<Comparison.Row, String> label = r -> {
                List<String> parts = new ArrayList<>(conditions(r).stream().filter(p -> values.get(p.substring(0, Math.max(0, p.indexOf('=')))).size() > 1)
                        .distinct().toList());
                if (metrics.size() > 1) {
                    parts.add(r.metric());
                }
                return parts.isEmpty() ? experiment : String.join(" ", parts);
            };
            Drawn chart = bars("timeouts-" + experiment, "Seconds until the failure is noticed, " + experiment, "seconds", mine, false, label);
            if (chart != null) {
                drawn.add(chart);
            }
        }
        return drawn;
    }

    /** A claim row's conditions as key=value pairs (its item without the claim and experiment). */
    private static List<String> conditions(Comparison.Row r) {
        String[] words = r.item().split(" ");
        return List.of(words).subList(Math.min(2, words.length), words.length);
    }
}
