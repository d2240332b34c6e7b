package tcplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tcplab.chart.Figures;
import tcplab.results.RunFolder;
import tcplab.testing.Browser;
import tcplab.testing.Fixtures;

/**
 * Every figure of a report redrawn from a recorded quick run (fixture quick-baseline: all 13
 * experiments; quick-benchmarks: the benchmarks of a quick run), checked as a writeup author would paste it: it says where it came from, its words
 * are text in the SVG, its PNG is drawn at twice its size, its legend is short, it shows a model
 * beside the measurement, and every one of them loads in the report in Chromium.
 */
class FiguresTest {
    /** Figures that show measurement alone, each for a reason a reader sees in its caption. */
    private static final Set<String> WITHOUT_MODEL = Set.of(
            "iterations",          // the shape of a run over time: the model is the throughput chart's ceiling
            "latency",             // no kernel model predicts connect/close latency percentiles
            "connection-reuse",    // a comparison of two styles, measured
            "connection-reuse-latency",
            "throughput");         // its ceiling (ports / 60 s) holds only past 60 s: a shorter run's legend says it is not drawn
    private static final int LEGEND_LABEL_MAX = 40;

    @TempDir
    static Path dir;
    static final List<Path> runs = new ArrayList<>();
    static final List<Figures.Saved> figures = new ArrayList<>();

    @BeforeAll
    static void redraw() throws Exception {
        System.setProperty("java.awt.headless", "true");
        for (String fixture : List.of("quick-baseline", "quick-benchmarks")) {
            Path run = dir.resolve(fixture);
            Fixtures.copyTree(Path.of("src/test/resources/fixtures", fixture), run);
            figures.addAll(ReportWriter.write(new RunFolder(run)).saved());
            runs.add(run);
        }
    }

    @Test
    void everyFigureCarriesItsContextFooter() {
        assertTrue(figures.size() >= 20, "the quick run draws its figures: " + figures.size());
        for (Figures.Saved f : figures) {
            assertTrue(f.footer().startsWith("tcplab "), f.name() + ": " + f.footer());
            for (String part : List.of(" · Linux 6.", " · profile baseline", " · plan quick", " · run ")) {
                assertTrue(f.footer().contains(part), f.name() + " footer names" + part + ": " + f.footer());
            }
            assertTrue(f.footer().contains("scaled down: ") || f.footer().contains("no sysctl scaled down") || f.footer().contains("plan sets: "),
                    f.name() + ": " + f.footer());
        }
    }

    @Test
    void footersNameTheSysctlsScaledDownInWhatTheyShow() {
        String deadPeer = footer("dead-peer");
        assertTrue(deadPeer.contains("tcp_keepalive_time=2 (default 7200)"), deadPeer);
        assertFalse(deadPeer.contains("net.ipv4."), "the common prefix is left out: " + deadPeer);
        assertTrue(footer("throughput").endsWith("no sysctl scaled down"), footer("throughput"));
        // a narrowed range no claim calls scaled is still named: the figure was not drawn at the profile's settings
        assertTrue(footer("listen-port-collision").contains("plan sets: ip_local_port_range=40000 40999"), footer("listen-port-collision"));
    }

    @Test
    void everySvgHoldsItsWordsAsText() throws Exception {
        for (Figures.Saved f : figures) {
            String svg = Files.readString(f.svg());
            List<String> texts = texts(svg);
            // a long footer or title wraps: its first line, a real part of it, is one text element
            assertTrue(texts.stream().anyMatch(t -> t.startsWith("tcplab ") && escape(f.footer()).startsWith(t)),
                    f.name() + ": the footer is text in the SVG");
            assertTrue(texts.stream().anyMatch(t -> t.length() >= Math.min(20, f.title().length()) && escape(f.title()).startsWith(t)),
                    f.name() + ": the title is text: " + f.title());
            for (String label : f.legend()) {
                assertTrue(texts.contains(escape(label)), f.name() + ": legend label as text: " + label);
            }
        }
    }

    @Test
    void everyPngIsDrawnAtTwiceItsLayoutSize() throws Exception {
        for (Figures.Saved f : figures) {
            BufferedImage png = ImageIO.read(f.png().toFile());
            Matcher m = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(Files.readString(f.svg()));
            assertTrue(m.find(), f.name() + " svg has its size");
            assertEquals(Figures.PNG_SCALE * Integer.parseInt(m.group(1)), png.getWidth(), f.name());
            assertEquals(Figures.PNG_SCALE * Integer.parseInt(m.group(2)), png.getHeight(), f.name());
        }
    }

    @Test
    void legendsAreShortEnoughNeverToBeCut() {
        for (Figures.Saved f : figures) {
            for (String label : f.legend()) {
                assertTrue(label.length() <= LEGEND_LABEL_MAX, f.name() + ": legend label of " + label.length() + " characters: " + label);
            }
        }
    }

    @Test
    void everyFigureShowsAModelBesideTheMeasurementOrSaysWhyNot() {
        List<String> without = new ArrayList<>();
        for (Figures.Saved f : figures) {
            // a ladder draws what the kernel sent, packet by packet: the sequence the claim predicts is its text
            if (!f.model() && !WITHOUT_MODEL.contains(f.name()) && !f.name().endsWith("-ladder")) {
                without.add(f.name());
            }
        }
        assertEquals(List.of(), without, "figures with no series in the model's style");
    }

    @Test
    void everyFigureLoadsInTheReportInChromium() throws Exception {
        for (Path run : runs) {
            Path html = run.resolve("report.html");
            String page = Files.readString(html);
            long drawn = figures.stream().filter(f -> f.png().startsWith(run)).count();
            long embedded = Pattern.compile(Pattern.quote("<img src=\"data:image/png;base64,")).matcher(page).results().count();
            assertTrue(embedded >= drawn, run.getFileName() + ": report.html embeds every figure: " + embedded + " images for " + drawn);
            List<String> found = Browser.check(html, 1280, dir);
            assertEquals("images=" + embedded, found.get(0), run.getFileName() + ": every figure is an image that loads");
            assertEquals(List.of(), found.subList(2, found.size()), run.getFileName() + ": nothing overflows at 1280 px");
        }
    }

    private static String footer(String name) {
        return figures.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no figure " + name))
                .footer();
    }

    private static List<String> texts(String svg) {
        List<String> texts = new ArrayList<>();
        Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            texts.add(m.group(1));
        }
        return texts;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
