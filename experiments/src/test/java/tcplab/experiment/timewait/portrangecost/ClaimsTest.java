package tcplab.experiment.timewait.portrangecost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.chart.Figures;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;
import tcplab.results.RunFolder;
import tcplab.testing.Fixtures;

/**
 * port-range-cost tests no claim of its own (it explains C3's scan), so what is tested is what its
 * section stands on: the recorded quick run's levels (4,000 ports, 200 probes), read typed, show the
 * step at half the range the model predicts, and the section's table says them as recorded.
 */
class ClaimsTest {
    private static final String EXPERIMENT = "port-range-cost";

    @TempDir
    Path charts;

    private static List<LevelRow> recorded() throws Exception {
        ExperimentData data = Fixtures.experiment("quick-baseline", EXPERIMENT);
        assertEquals(1, data.trials().size());
        return LevelRow.TABLE.read(data, data.trials().get(0));
    }

    @Test
    void itMakesNoClaims() throws Exception {
        assertEquals(List.of(), new PortRangeCostExperiment().claims(Fixtures.experiment("quick-baseline", EXPERIMENT)));
    }

    @Test
    void theRecordedLevelsStepUpOnceHalfTheRangeIsHeld() throws Exception {
        List<LevelRow> rows = recorded();
        assertEquals(Arrays.stream(FillAgent.LEVELS).boxed().toList(), rows.stream().map(LevelRow::levelPercent).toList());
        for (LevelRow r : rows) {
            assertEquals(200, r.probes() + r.failed(), r.toString());
            // below half a free port is found at once; past it every connect() first examines one parity's 2,000 held ports
            if (r.occupancyPercent() < 50) {
                assertTrue(r.connectP50Us() <= 20, r.toString());
            } else {
                assertTrue(r.connectP50Us() >= 150, r.toString());
            }
        }
        LevelRow last = rows.get(rows.size() - 1);
        assertEquals(98.2, last.occupancyPercent(), 1e-9);
        assertEquals(3928, last.timeWait());
    }

    @Test
    void theTableSaysEachLevelAsRecorded() throws Exception {
        PortRangeCostExperiment experiment = new PortRangeCostExperiment();
        RunData run = RunData.load(new RunFolder(Path.of("src/test/resources/fixtures/quick-baseline")));
        Section section = Report.section(experiment, new ExperimentData(run, experiment, Figures.forRun(run, charts))); // the charts away from the fixture
        assertTrue(section.markdown().contains("| probes=200 ip_local_port_range=40000 43999 veth | 4000 | 51.4 % | 155 µs | 810 µs | 1.14 ms | 0 |"),
                section.markdown());
        assertTrue(section.markdown().contains("| 0.0 % | 20.0 µs | 580 µs | 5.44 ms |"), section.markdown());
        assertEquals(List.of(), section.claims());
    }

    @Test
    void aLevelWithoutACompleteProbeReadsAsNotMeasured() {
        List<LevelRow> rows = LevelRow.TABLE.parse(List.of(Map.of("level_percent", "99", "time_wait", "3990", "occupancy_percent", "99.8",
                "probes", "0", "failed", "200", "connect_p50_us", "", "connect_p90_us", "", "connect_p99_us", "", "connect_max_us", "")), "test");
        assertEquals(200, rows.get(0).failed());
        assertNull(rows.get(0).connectP50Us());
        assertNull(rows.get(0).connectMaxUs());
    }
}
