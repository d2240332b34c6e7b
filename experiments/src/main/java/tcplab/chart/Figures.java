package tcplab.chart;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.VectorHints;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;
import tcplab.results.RunData;

/**
 * Where a report's figures go, and what each one carries wherever it is pasted: its title as the
 * question it answers, a legend that wraps rather than cuts, and a footer saying where it came from
 * (tcplab version, kernel, profile, plan, run, and the sysctls scaled down in what it shows). Each
 * figure is saved twice: a PNG at twice its size for print, and an SVG whose words are text.
 * One colour per configuration holds across every figure of a report, because every view of the
 * report's figures shares one colour table.
 */
public final class Figures {
    /** Pixels a figure's PNG has per pixel of layout: 2 for print. */
    public static final int PNG_SCALE = 2;

    /** Where a run came from, for the footer. */
    public record Context(String version, String kernel, String profile, String plan, String runId, boolean twoMachines) {
        /** A context for figures drawn outside a run (a comparison of several, a test). */
        public static Context of(String what) {
            return new Context("", "", "", "", what, false);
        }

        String footer(List<String> scaled, List<String> set) {
            StringBuilder s = new StringBuilder("tcplab " + version);
            if (!kernel.isEmpty()) {
                s.append(" · Linux ").append(kernel);
            }
            if (!profile.isEmpty()) {
                s.append(" · profile ").append(profile);
            }
            if (!plan.isEmpty()) {
                s.append(" · plan ").append(plan);
            }
            s.append(" · run ").append(runId);
            boolean plan = set != null && !set.isEmpty();
            if (scaled != null && !scaled.isEmpty()) {
                s.append(" · scaled down: ").append(String.join(", ", scaled));
            } else if (scaled != null && !plan) {
                s.append(" · no sysctl scaled down");
            }
            if (plan) {
                s.append(" · plan sets: ").append(String.join(", ", set));
            }
            return s.toString();
        }
    }

    private final Path dir;
    private final Context context;
    private final List<String> scaled;
    private final List<String> set;
    private final Map<String, Color> colours;
    private final List<Saved> saved;
    /** PNGs still encoding on another thread, oldest first; null when each save waits for its own. */
    private final java.util.Deque<java.util.concurrent.CompletableFuture<Void>> pending;
    /** At most this many PNGs wait to be encoded: each holds its whole image in memory. */
    private static final int PENDING = 3;

    /**
     * A figure as saved, for a check of every figure a report drew: its legend's labels, whether one
     * of its series is drawn in the model's style, and the footer it carries.
     */
    public record Saved(String name, String title, List<String> legend, boolean model, String footer, Path png, Path svg) {
    }

    /** The figures of a run, in {@code dir}, their footer from the run's metadata. */
    public static Figures forRun(RunData data, Path dir) {
        var m = data.metadata();
        String kernel = m.path("machine").path("kernelRelease").asText("");
        var remote = m.path("remote");
        if (m.has("remote")) {
            // a pasted figure of a two-machine run keeps both machines and the path
            var rtt = remote.path("rttAtStart");
            kernel += " → " + remote.path("destination").asText() + " (Linux " + remote.path("machine").path("kernelRelease").asText("?")
                    + (rtt.has("rttMs") ? ", RTT " + tcplab.results.Format.micros(rtt.path("rttMs").asDouble() * 1000) : "") + ")";
        }
        return new Figures(dir, new Context(m.path("tcplab").path("version").asText("?"), kernel,
                m.path("profile").path("name").asText(""), m.path("plan").path("name").asText(""), m.path("runId").asText("?"), m.has("remote")));
    }

    public Figures(Path dir, Context context) {
        this(dir, context, null, null, new LinkedHashMap<>(), new ArrayList<>(), null);
    }

    private Figures(Path dir, Context context, List<String> scaled, List<String> set, Map<String, Color> colours, List<Saved> saved,
                    java.util.Deque<java.util.concurrent.CompletableFuture<Void>> pending) {
        this.dir = dir;
        this.context = context;
        this.scaled = scaled;
        this.set = set;
        this.colours = colours;
        this.saved = saved;
        this.pending = pending;
    }

    /**
     * The same figures with each PNG encoded on another thread while the next figure is drawn (PNG
     * encoding is most of a report's drawing time); {@link #finish} waits for them all.
     */
    public Figures async() {
        return new Figures(dir, context, scaled, set, colours, saved, new java.util.ArrayDeque<>());
    }

    /** Waits until every PNG saved through these figures is written; the first that failed fails this. */
    public void finish() throws IOException {
        if (pending == null) {
            return;
        }
        while (true) {
            java.util.concurrent.CompletableFuture<Void> next;
            synchronized (pending) {
                next = pending.poll();
            }
            if (next == null) {
                return;
            }
            join(next);
        }
    }

    private static void join(java.util.concurrent.CompletableFuture<Void> encoding) throws IOException {
        try {
            encoding.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
        }
    }

    /**
     * The same folder and colours, for figures whose footer names these scaled-down sysctls
     * ("tcp_keepalive_time 2 (default 7200)"); an empty list says none were.
     */
    public Figures scaled(List<String> which) {
        return scaled(which, List.of());
    }

    /**
     * The same, also naming the other sysctls the plan set for what the figure shows
     * ("ip_local_port_range=40000 40999"), scaled or not: a reader of a pasted figure sees every
     * setting that is not the profile's.
     */
    public Figures scaled(List<String> which, List<String> set) {
        // net.ipv4. is every key's prefix here: the footer says the rest
        return new Figures(dir, context, which.stream().map(w -> w.replace("net.ipv4.", "")).distinct().toList(),
                set.stream().map(w -> w.replace("net.ipv4.", "")).distinct().toList(), colours, saved, pending);
    }

    /** Every figure saved through this table of colours, in order. */
    public List<Saved> saved() {
        synchronized (saved) {
            return List.copyOf(saved);
        }
    }

    public Path dir() {
        return dir;
    }

    public Context context() {
        return context;
    }

    /** The footer this view draws under each figure. */
    public String footer() {
        return context.footer(scaled, set);
    }

    /**
     * The colour of a configuration, by its short label: the same in every figure of the report,
     * from {@link Plots#PALETTE} in the order configurations are first drawn.
     */
    public Color colour(String configuration) {
        synchronized (colours) {
            return colours.computeIfAbsent(configuration, k -> Plots.PALETTE[colours.size() % Plots.PALETTE.length]);
        }
    }

    /** Saves an XChart chart, framed: title, axis titles, legend and footer drawn as text around its plot. */
    public void save(Chart<?, ?> chart, String name) throws IOException {
        save(Frame.of(chart, footer()), name);
    }

    /** Saves a drawing of tcplab's own (a ladder, a matrix) with the footer under it. */
    public void save(Drawing drawing, String name) throws IOException {
        save(Frame.of(drawing, footer()), name);
    }

    private void save(Frame frame, String name) throws IOException {
        Files.createDirectories(dir);
        BufferedImage png = new BufferedImage(frame.width() * PNG_SCALE, frame.height() * PNG_SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = png.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.scale(PNG_SCALE, PNG_SCALE);
        frame.paint(g);
        g.dispose();
        Path pngFile = dir.resolve(name + ".png");
        java.util.concurrent.CompletableFuture<Void> encoded = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                ImageIO.write(png, "png", pngFile.toFile());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (pending != null) {
            java.util.concurrent.CompletableFuture<Void> oldest = null;
            synchronized (pending) {
                pending.add(encoded);
                if (pending.size() > PENDING) {
                    oldest = pending.poll();
                }
            }
            if (oldest != null) {
                join(oldest);
            }
        }

        VectorGraphics2D svg = new VectorGraphics2D();
        // text as <text>, searchable and editable; XChart's own tick labels stay outlines, the frame's words do not
        svg.setRenderingHint(VectorHints.KEY_TEXT, VectorHints.VALUE_TEXT_DEFAULT);
        frame.paint(svg);
        Document doc = new SVGProcessor().getDocument(svg.getCommands(), new PageSize(0, 0, frame.width(), frame.height()));
        try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".svg"))) {
            doc.writeTo(out);
        }
        if (pending == null) {
            join(encoded);
        }
        synchronized (saved) {
            saved.add(new Saved(name, frame.title(), frame.labels(), frame.model(), frame.footer(), dir.resolve(name + ".png"),
                    dir.resolve(name + ".svg")));
        }
    }

    /** Something tcplab paints itself at a fixed size in layout pixels. */
    public interface Drawing {
        /** The question the drawing answers. */
        String title();

        /** What its own key names, if it draws one; for checks. */
        default List<String> legend() {
            return List.of();
        }

        /** Whether it draws a model beside the measurement. */
        default boolean model() {
            return false;
        }

        int width();

        int height();

        void paint(Graphics2D g);
    }
}
