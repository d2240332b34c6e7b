package tcplab.experiment.serverside.restartrebind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.chart.Figures;
import tcplab.experiment.ExperimentCatalog;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.serverside.FigureChecks;
import tcplab.experiment.serverside.restartrebind.AttemptRow.Result;
import tcplab.experiment.serverside.restartrebind.EventRow.Event;
import tcplab.experiment.serverside.restartrebind.Matrix.Cell;
import tcplab.experiment.serverside.restartrebind.RestartRebindExperiment.Leftover;
import tcplab.results.RunData;
import tcplab.results.RunFolder;

/** C7's matrix: a window that ended before bind() succeeded is drawn censored, and each cell carries the model apart. */
class ReportTest {
    private static final long DIED = 1_800_000_000_000L;

    @Test
    void aWindowThatEndedIsCensoredAndTheModelSaysWhatItExpects() {
        // TIME_WAIT left, SO_REUSEADDR off on the old listener: 10 failed tries over 0.9 s, then the window ended
        Cell failing = Cell.of(new Setup(false, true, Leftover.TIME_WAIT), restart(10, false, "TIME_WAIT"), Color.BLUE);
        assertTrue(failing.censored());
        assertEquals(Matrix.Result.WINDOW_ENDED, failing.result());
        assertEquals("still failing: ≥ 0.90 s, window ended", failing.measured());
        assertEquals("model: fails until TIME_WAIT ends (60 s)", failing.model());
        assertEquals(60 - 0.05, failing.modelSeconds(), 1e-9, "TIME_WAIT began 50 ms before the first try");
        // the same after TIME_WAIT: bound on the 601st try, 60 s in; measured, not censored
        Cell bound = Cell.of(new Setup(false, false, Leftover.TIME_WAIT), restart(601, true, "TIME_WAIT"), Color.BLUE);
        assertFalse(bound.censored());
        assertEquals("bound after 60.0 s", bound.measured());
        // a drain: the model never expects it to end while the old process holds its connections
        Cell drain = Cell.of(new Setup(true, false, Leftover.ESTABLISHED), restart(10, false, "ESTABLISHED"), Color.BLUE);
        assertTrue(drain.censored());
        assertTrue(Double.isInfinite(drain.modelSeconds()));
        Cell atOnce = Cell.of(new Setup(true, true, Leftover.ESTABLISHED), restart(1, true, "ESTABLISHED"), Color.BLUE);
        assertEquals(Matrix.Result.AT_ONCE, atOnce.result());
        assertEquals("model: binds at once", atOnce.model());
        Matrix.keys().forEach(k -> assertTrue(k.length() <= FigureChecks.LONGEST_LABEL, k));
        assertTrue(Matrix.keys().stream().anyMatch(k -> k.startsWith("model")), "the key names the model");
        assertTrue(new Matrix(List.of(failing)).title().endsWith("?"));
    }

    @Test
    void theRecordedOneSecondWindowIsCensoredWhereTheModelFails(@TempDir Path charts) throws Exception {
        RunData run = RunData.load(new RunFolder(Path.of("src/test/resources/fixtures/quick-baseline")));
        var experiment = ExperimentCatalog.find("restart-rebind");
        ExperimentData data = new ExperimentData(run, experiment, Figures.forRun(run, charts));
        List<Cell> cells = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            cells.add(Cell.of(Setup.of(data.params(r)), Outcome.read(data, r), Color.BLACK));
        }
        assertEquals(12, cells.size());
        for (Cell c : cells) {
            // the quick plan retries for 1 s: every refused bind() is still refused when the window ends
            assertEquals(!c.modelAllowed(), c.censored(), c.setup().label() + ": " + c.measured());
            assertTrue(c.modelAllowed() == (c.result() == Matrix.Result.AT_ONCE), c.setup().label() + ": " + c.measured());
        }
        FigureChecks.drawnFromTheRecordedRun("restart-rebind", charts, "restart-rebind");
    }

    /** A restart's rows: the old server went 50 ms before the first of {@code tries} 100 ms apart; the last bound or not. */
    private static Outcome restart(int tries, boolean boundAtLast, String left) {
        List<AttemptRow> attempts = new ArrayList<>();
        for (int i = 0; i < tries; i++) {
            boolean bound = boundAtLast && i == tries - 1;
            attempts.add(new AttemptRow(i + 1, DIED + 50 + 100L * i, bound ? Result.BOUND : Result.FAILED, bound ? "" : "Address already in use"));
        }
        List<EventRow> events = List.of(new EventRow(left.equals("TIME_WAIT") ? Event.OLD_KILLED : Event.OLD_STOPPED_LISTENING, DIED),
                new EventRow(Event.NEW_STARTED, DIED + 40));
        return Outcome.of(attempts, events, List.of(new LeftoverRow(left, 5)), List.of());
    }
}
