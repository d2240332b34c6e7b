package tcplab.experiment.serverside;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.AxesChartSeries;
import org.knowm.xchart.internal.series.MarkerSeries;
import org.knowm.xchart.internal.series.Series;
import tcplab.chart.Figures;
import tcplab.chart.Plots;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.ExperimentData;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/** What every figure of the family must show, checked on the chart before it is saved. */
public final class FigureChecks {
    /** Longest legend label a reader takes in at a glance. */
    public static final int LONGEST_LABEL = 40;

    private FigureChecks() {
    }

    /** The labels the legend shows. */
    public static List<String> legend(Chart<?, ?> chart) {
        return chart.getSeriesCollection().stream().filter(Series::isShowInLegend).map(Series::getName).toList();
    }

    /** The series drawn in the model's colour: dashed lines or red markers. */
    public static List<String> model(Chart<?, ?> chart) {
        return chart.getSeriesCollection().stream().filter(s -> s instanceof AxesChartSeries a && Plots.MODEL.equals(a.getLineColor())
                || s instanceof MarkerSeries m && Plots.MODEL.equals(m.getMarkerColor())).map(Series::getName).toList();
    }

    /** The series drawn as censored arrows: values that lie beyond their window. */
    public static List<String> censored(Chart<?, ?> chart) {
        return chart.getSeriesCollection().stream().filter(s -> s instanceof MarkerSeries m && m.getMarker() instanceof Plots.Censored)
                .map(Series::getName).toList();
    }

    /**
     * Redraws an experiment's section from the recorded quick run into {@code charts}, and checks that
     * each named chart was saved and is shown by the section.
     */
    public static void drawnFromTheRecordedRun(String experiment, Path charts, String... names) throws IOException {
        RunData run = RunData.load(new RunFolder(Path.of("src/test/resources/fixtures/quick-baseline")));
        Experiment e = ExperimentCatalog.find(experiment);
        String md = e.report(new ExperimentData(run, e, Figures.forRun(run, charts)), List.of()).markdown();
        for (String name : names) {
            assertTrue(Files.size(charts.resolve(name + ".png")) > 0, name);
            assertTrue(md.contains("(charts/" + name + ".png)"), md);
        }
    }

    /** A model series is in the legend, and every legend label is short. */
    public static void modelAndShortLegend(Chart<?, ?> chart) {
        assertFalse(model(chart).isEmpty(), "no model series in " + legend(chart));
        assertTrue(model(chart).stream().anyMatch(legend(chart)::contains), "the model is not in the legend: " + legend(chart));
        legend(chart).forEach(l -> assertTrue(l.length() <= LONGEST_LABEL, "legend label over " + LONGEST_LABEL + " characters: " + l));
    }
}
