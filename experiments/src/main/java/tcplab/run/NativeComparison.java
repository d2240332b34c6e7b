package tcplab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.lab.JavaCommand;
import tcplab.lab.Lab;
import tcplab.lab.LabException;
import tcplab.lab.Processes;
import tcplab.lab.ServerProcess;
import tcplab.profile.Profile;
import tcplab.results.Format;
import tcplab.results.JmhResult;
import tcplab.results.RunFolder;
import tcplab.results.Stats;
import tcplab.server.ClosePolicy;
import tcplab.socket.CloseMode;
import tcplab.socket.Exchange;
import tcplab.socket.Target;

/**
 * Is the benchmark the bottleneck? ConnectCloseBenchmark against a minimal C client (socket,
 * SO_LINGER, connect, close in a loop) on the same veth path and the same server, measured in
 * interleaved rounds whose order alternates, each measurement in fresh namespaces. The ratio of
 * the medians says what share of a native client's rate the benchmark reaches.
 */
public final class NativeComparison {
    public static final String[] COLUMNS = {"round", "client", "close_mode", "ok_per_s", "failed", "seconds"};
    private static final Pattern NATIVE = Pattern.compile("ok=(\\d+) failed=(\\d+) seconds=([0-9.]+) rate=([0-9.]+)");

    private final Profile profile;
    private final CloseMode mode;
    private final int rounds;
    private final int seconds;
    private final RunFolder folder;
    private final Path benchmarksJar;
    private final Path nativeClient;

    public NativeComparison(Profile profile, CloseMode mode, int rounds, int seconds, RunFolder folder, Path benchmarksJar, Path nativeClient) {
        if (mode != CloseMode.CLIENT_RST && mode != CloseMode.CLIENT_FIN) {
            throw new IllegalArgumentException("compare-native compares CLIENT_RST or CLIENT_FIN, not " + mode);
        }
        this.profile = profile;
        this.mode = mode;
        this.rounds = rounds;
        this.seconds = seconds;
        this.folder = folder;
        this.benchmarksJar = benchmarksJar;
        this.nativeClient = nativeClient;
    }

    /** Runs the rounds and returns the ratio of median rates, benchmark over native. */
    public double execute() throws IOException, LabException {
        List<Double> java = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        try (RunFolder.CsvLog rows = folder.csv("native-comparison.csv", COLUMNS)) {
            for (int round = 1; round <= rounds; round++) {
                // alternate which goes first, so a drift of the machine does not favour one side
                for (String client : round % 2 == 1 ? List.of("native", "jmh") : List.of("jmh", "native")) {
                    double[] result = measure(client, round);
                    (client.equals("jmh") ? java : c).add(result[0]);
                    rows.row(round, client, mode, String.format(Locale.ROOT, "%.1f", result[0]), (long) result[1], seconds);
                    say(String.format(Locale.ROOT, "round %d/%d %-6s %s: %s complete cycles/s%s", round, rounds, client, mode,
                            Format.number(result[0]), result[1] > 0 ? " (" + (long) result[1] + " failed)" : ""));
                }
            }
        }
        double ratio = Stats.median(java) / Stats.median(c);
        String summary = String.format(Locale.ROOT, "%s over veth, profile %s, %s of %d s: benchmark median %s/s, native C median %s/s,"
                        + " ratio %.1f %% (per round: benchmark %s, native %s)", mode, profile.name(), Format.count(rounds, "round"),
                seconds,
                Format.number(Stats.median(java)), Format.number(Stats.median(c)), 100 * ratio, java, c);
        Files.writeString(folder.file("summary.txt"), summary + "\n");
        say(summary);
        return ratio;
    }

    /** {rate, failed} of one client in fresh namespaces. */
    private double[] measure(String client, int round) throws IOException, LabException {
        try (Lab lab = Lab.create(profile);
             MeasurementLock turn = MeasurementLock.acquire(LabRun.LOCK_WAIT, this::say);
             ServerProcess server = ServerProcess.start(lab.server(), Lab.SERVER_ADDRESS, ClosePolicy.forClient(mode, Exchange.NONE),
                     Duration.ofSeconds(seconds + 120L), folder.raw(client + "-r" + round, ".server.csv"), folder.raw(client + "-r" + round, ".server.log"))) {
            return client.equals("native") ? nativeRate(lab, server.address()) : jmhRate(lab, server.address(), round);
        }
    }

    private double[] nativeRate(Lab lab, String target) throws LabException {
        String host = target.substring(0, target.lastIndexOf(':'));
        String port = target.substring(target.lastIndexOf(':') + 1);
        String out = Processes.run(lab.client().command(List.of(nativeClient.toString(), host, port, "1", Integer.toString(seconds),
                mode == CloseMode.CLIENT_RST ? "0" : "-1")), null, Duration.ofSeconds(seconds + 30L));
        Matcher m = NATIVE.matcher(out);
        if (!m.find()) {
            throw new LabException("the native client printed no result: " + out.trim(), "see benchmarks/src/main/c/connect_close.c");
        }
        return new double[] {Double.parseDouble(m.group(4)), Long.parseLong(m.group(2))};
    }

    private double[] jmhRate(Lab lab, String target, int round) throws IOException, LabException {
        Path json = folder.raw("jmh-r" + round, ".jmh.json");
        List<String> args = List.of("^tcplab\\.benchmarks\\.ConnectCloseBenchmark\\.connectClose$", "-bm", "thrpt", "-tu", "s",
                "-f", "1", "-wi", "1", "-w", "1s", "-i", Integer.toString(seconds), "-r", "1s", "-foe", "true",
                "-p", "closeMode=" + mode, "-p", "reuseAddr=false", "-p", "exchange=NONE", "-p", "profile=" + profile.name(),
                "-p", "target=" + target, "-rf", "json", "-rff", json.toString());
        ProcessBuilder builder = new ProcessBuilder(lab.client().command(JavaCommand.benchmarks(benchmarksJar, folder.scratch(), args)))
                .redirectErrorStream(true).redirectOutput(folder.raw("jmh-r" + round, ".jmh.log").toFile());
        builder.environment().remove(Target.LAB_TARGET_ENV);
        int exit;
        try {
            exit = Processes.waitOrKill(builder.start(), Duration.ofSeconds(seconds + 60L));
        } finally {
            folder.clearScratch();
        }
        List<JmhResult> results = exit == 0 ? JmhResult.read(json) : List.of();
        if (results.isEmpty()) {
            throw new LabException("the benchmark failed (exit " + exit + ")", "see " + folder.raw("jmh-r" + round, ".jmh.log"));
        }
        JmhResult r = results.get(0);
        return new double[] {r.counter("ok"), r.primary().score() - r.counter("ok")};
    }

    private void say(String line) {
        System.out.println(line);
        folder.log(line);
    }
}
