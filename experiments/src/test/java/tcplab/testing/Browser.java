package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium (package {@code chromium}; {@code make test} installs it as root, see
 * experiments/scripts/prereqs.sh). A page is checked by loading a copy of it with a script added at
 * the end that measures the laid-out page and writes its findings into the DOM, which Chromium then
 * prints ({@code --dump-dom}); the page itself is not changed. The flags keep Chromium off the
 * network: the reports must open from disk alone.
 */
public final class Browser {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern RESULT = Pattern.compile("<pre id=\"tcplab-check\">(.*?)</pre>", Pattern.DOTALL);

    /**
     * Runs in the page after it loaded: every image decoded with a size; no element wider than the
     * viewport or sticking out of it, except inside a box that scrolls sideways on its own (wide
     * tables and code blocks do); the page itself does not scroll sideways; and at 1280 px no table
     * scrolls sideways either.
     */
    private static final String CHECK = """
            <script>
            window.addEventListener('load', () => {
              const problems = [];
              const width = document.documentElement.clientWidth;
              const images = Array.from(document.images);
              images.forEach((img, i) => {
                if (!img.complete || img.naturalWidth === 0) problems.push('image ' + i + ' did not load: ' + img.alt);
                if (img.getBoundingClientRect().width > width + 1) problems.push('image ' + i + ' wider than the page: ' + img.alt);
              });
              const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
                const s = getComputedStyle(p); if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p !== document.body) return true; }
                return false; };
              document.querySelectorAll('body *').forEach(el => {
                if (el.id === 'tcplab-check' || scrolls(el)) return;
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > width + 1) problems.push('overflows the page by ' + Math.round(r.right - width) + ' px: <'
                    + el.tagName.toLowerCase() + '> ' + (el.textContent || '').trim().slice(0, 60));
              });
              // at a desktop's 1280 px every table, explanations and all, is read without scrolling it sideways
              if (width >= 1280) document.querySelectorAll('table').forEach(t => { if (t.scrollWidth > t.clientWidth + 1)
                problems.push('a table scrolls sideways, ' + t.scrollWidth + ' px in ' + t.clientWidth + ': '
                    + (t.querySelector('th') ? t.querySelector('tr').textContent.trim().slice(0, 80) : '')); });
              if (document.documentElement.scrollWidth > width + 1) problems.push('the page scrolls sideways: '
                  + document.documentElement.scrollWidth + ' px wide in ' + width);
              const out = document.createElement('pre');
              out.id = 'tcplab-check';
              // the report's first table must be read without scrolling sideways: its full width against the page's
              const glance = document.querySelector('#claims-glance table');
              const fits = glance ? 'glance=' + glance.scrollWidth + '/' + Math.min(glance.parentElement.clientWidth, width) : 'glance=none';
              out.textContent = 'images=' + images.length + '\\n' + fits + '\\n' + problems.join('\\n');
              document.body.appendChild(out);
            });
            </script>
            """;

    private Browser() {
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM);
    }

    /**
     * What the check found in {@code html} at a window {@code width} px wide: the image count, the
     * claims-at-a-glance table's full width against the room it has ("glance=W/P", or "glance=none"),
     * then one line per problem.
     */
    public static List<String> check(Path html, int width, Path scratch) throws IOException, InterruptedException {
        assertTrue(available(), CHROMIUM + " is missing (fix: apt-get install chromium, or run experiments/scripts/prereqs.sh --tests --install)");
        Path copy = scratch.resolve("checked-" + html.getFileName());
        String page = Files.readString(html);
        Files.writeString(copy, page.replace("</body>", CHECK + "</body>"));
        String dom = chromium(scratch, "--window-size=" + width + ",1000", "--virtual-time-budget=10000", "--dump-dom", copy.toUri().toString());
        Matcher m = RESULT.matcher(dom);
        assertTrue(m.find(), "the check script did not report; Chromium printed: " + dom.substring(0, Math.min(dom.length(), 500)));
        List<String> lines = new ArrayList<>(List.of(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split("\n")));
        lines.removeIf(String::isBlank);
        return lines;
    }

    /** A full-page screenshot for a person to look at. */
    public static void screenshot(Path html, Path png, int width, int height, Path scratch) throws IOException, InterruptedException {
        chromium(scratch, "--window-size=" + width + "," + height, "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(),
                html.toUri().toString());
        assertTrue(Files.size(png) > 1000, "screenshot " + png);
    }

    private static String chromium(Path scratch, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = scratch.resolve("chromium.out");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(scratch.resolve("chromium.err").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s: " + String.join(" ", command));
        }
        return Files.readString(out);
    }
}
