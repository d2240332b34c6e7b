package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timewait.EndedEarly;
import tcplab.kernel.TcpModel;
import tcplab.lab.NetworkPath;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.socket.CloseMode;

/** C3's and C4's claims, from each configuration's seconds and settings: one claim a configuration, the model from its own sysctls. */
final class Claims {
    static final Claim.Metric NO_PORT = Claim.Metric.of("eaddrnotavail_failures", "EADDRNOTAVAIL failures", "failed connects");
    static final Claim.Metric NO_PORT_LATE = Claim.Metric.of("eaddrnotavail_failures_after_first_second",
            "EADDRNOTAVAIL failures after the first second", "failed connects");
    static final Claim.Metric SUSTAINED = Claim.Metric.of("sustained_connections_per_s", "sustained new connections per second", "connections/s");
    static final Claim.Metric WINDOW = Claim.Metric.of("max_connections_per_60s_window", "most new connections in any 60 s window", "connections");

    private static final String PORT_RANGE = "net.ipv4.ip_local_port_range";
    private static final String REUSE_DELAY = "net.ipv4.tcp_tw_reuse_delay";
    private static final String[] SYSCTLS = {PORT_RANGE, "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_tw_reuse",
        "net.ipv4.tcp_timestamps", REUSE_DELAY, "net.ipv4.tcp_rfc1337"};

    private Claims() {
    }

    /**
     * What a configuration's claim reads besides its seconds: where it ran, the sysctls in effect, and
     * the client's counters that explain it (TIME_WAIT sockets taken over; those a reset ended early,
     * see {@link EndedEarly}).
     */
    record Setup(Claim.Where where, Map<String, String> sysctls, String path, CloseMode mode, long twRecycled, long endedEarly,
                 String endedEarlyWhy) {
        static Setup of(ExperimentData data, RunData.Result r) {
            return new Setup(data.where(r, SYSCTLS), r.sysctls(), r.path(), data.params(r).choice("closeMode", CloseMode.class),
                    r.clientCounter("TcpExt.TWRecycled", RunData.DELTA), EndedEarly.allowance(r), EndedEarly.explain(r));
        }

        boolean loopback() {
            return path.equals(NetworkPath.LOOPBACK.label());
        }
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok()) {
                claims.add(of(Setup.of(data, r), SecondRow.TABLE.read(data, r)).explainedFurther(Ladders.captureNote(data, r)));
            }
        }
        return claims;
    }

    /** One configuration's claim. */
    static Claim of(Setup s, List<SecondRow> rows) {
        Trace t = new Trace(rows);
        if (s.mode() == CloseMode.CLIENT_RST) {
            return rst(s, t);
        }
        return TcpModel.timeWaitReuse(s.sysctls(), s.loopback()) ? reuse(s, t) : window(s, t);
    }

    /** C3 with an RST close: no TIME_WAIT, so connect() never runs out. */
    private static Claim rst(Setup s, Trace t) {
        int ports = TcpModel.usablePorts(s.sysctls());
        // an RST leaves no TIME_WAIT: the reuse and RFC 1337 settings do not apply to this row
        Claim.Where conditions = s.where().without("net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse_delay",
                "net.ipv4.tcp_rfc1337");
        boolean reused = t.totalOk > ports;
        Claim c = Claim.check("C3", PortExhaustionExperiment.NAME, conditions, NO_PORT, "0", Long.toString(t.totalNoPort),
                t.totalNoPort == 0, String.format(Locale.ROOT, "SO_LINGER 0 closes with an RST and leaves no TIME_WAIT, so %d connections"
                        + " in %d s never ran out of %d ports (TIME_WAIT at the end: %d).%s", t.totalOk, t.seconds.length, ports, t.lastTimeWait(),
                        reused ? String.format(Locale.ROOT, " Each port served %s connections on average: with no TIME_WAIT there is no 60 s"
                                + " hold to wait out, so a run that uses every port again tests this at its own scale, at any port range.",
                                Format.number((double) t.totalOk / ports)) : ""))
                // no TIME_WAIT at any range: the range is named, but it is no horizon
                .scaledAtAnyValue(TcpModel.scaledFromDefaults(s.sysctls(), PORT_RANGE), "0 failed connects");
        // at the claim's scale once the run made more connections than there are ports: each port was used again
        return reused ? c : c.shortOf(String.format(Locale.ROOT, "%d connections, fewer than the %d ports", t.totalOk, ports));
    }

    /** C4 with reuse in effect: a ceiling of N per reuse delay, or no wait at all for a slower client. */
    private static Claim reuse(Setup s, Trace t) {
        Map<String, String> settings = s.sysctls();
        String reuseSetting = settings.getOrDefault("net.ipv4.tcp_tw_reuse", "?");
        String claimId = reuseSetting.equals("0") ? "C3" : "C4";
        int ports = TcpModel.usablePorts(settings);
        long delay = TcpModel.reuseDelayMillis(settings);
        double ceiling = ports * 1000.0 / delay;
        String scaled = TcpModel.scaledFromDefaults(settings, PORT_RANGE, REUSE_DELAY);
        String atDefaults = TcpModel.DEFAULT_PORTS * 1000 / Long.parseLong(TcpModel.DEFAULTS.get(REUSE_DELAY)) + " connections/s (N / tcp_tw_reuse_delay)";
        double steady = t.steadyRate();
        String onLoopback = s.loopback() ? " on loopback" : "";
        if (steady < 0.85 * ceiling) {
            long late = t.noPortAfterFirstSecond();
            return sustained(Claim.check(claimId, PortExhaustionExperiment.NAME, s.where(), NO_PORT_LATE, "0", Long.toString(late),
                    late == 0, String.format(Locale.ROOT, "tcp_tw_reuse = %s with timestamps (%s)%s: connect() may take over a"
                            + " TIME_WAIT port older than %d ms, so %d ports sustain %s/s; the client made %s/s, below that, %s. %d TIME_WAIT"
                            + " sockets were taken over (TcpExt.TWRecycled).", reuseSetting, settings.getOrDefault("net.ipv4.tcp_timestamps", "?"),
                            onLoopback, delay, ports, Format.number(ceiling), Format.number(steady),
                            late == 0 ? "so it never waited for a port" : "yet it ran out: the reuse rule did not hold here", s.twRecycled()))
                    .scaled(scaled, "0 failed connects"), t.seconds.length, delay);
        }
        return sustained(Claim.compare(claimId, PortExhaustionExperiment.NAME, s.where(), SUSTAINED, ceiling, steady, 0.15,
                String.format(Locale.ROOT, "tcp_tw_reuse = %s with timestamps%s: a TIME_WAIT port can be taken over once older than %d ms,"
                        + " so %d ports sustain at most %d / %.3f s = %s/s; the client, faster than that, is held to it.", reuseSetting,
                        onLoopback, delay, ports, ports, delay / 1000.0, Format.number(ceiling)))
                .band("model ± 15 %: the first second, before the range is full, runs faster").scaled(scaled, atDefaults), t.seconds.length, delay);
    }

    /** A reuse rate is sustained only over many reuse delays: a few seconds' burst is consistent with it, no more. */
    private static Claim sustained(Claim c, int runSeconds, long delayMillis) {
        return runSeconds >= 10 && runSeconds * 1000L >= 10 * delayMillis ? c : c.shortOf(String.format(Locale.ROOT,
                "a %d s burst, not a sustained run (at least 10 s and 10 reuse delays)", runSeconds));
    }

    /** C3 (or C4 asked for but not in effect): at most N new connections in any 60 s window. */
    private static Claim window(Setup s, Trace t) {
        Map<String, String> settings = s.sysctls();
        String reuseSetting = settings.getOrDefault("net.ipv4.tcp_tw_reuse", "?");
        boolean reuseAsked = !reuseSetting.equals("0");
        int ports = TcpModel.usablePorts(settings);
        int runSeconds = t.seconds.length;
        String why = !reuseAsked ? "tcp_tw_reuse = 0" : settings.getOrDefault("net.ipv4.tcp_timestamps", "?").equals("0")
                ? "tcp_tw_reuse = " + reuseSetting + " but tcp_timestamps = 0: without timestamps the kernel cannot tell the old connection's"
                        + " segments from the new one's, so it reuses nothing"
                : "tcp_tw_reuse = 2 reuses TIME_WAIT only for loopback connections, and this path is " + s.path();
        double window = t.maxIn60Seconds();
        String over = runSeconds > 60 ? "" : String.format(Locale.ROOT, " The run lasted %d s, so no TIME_WAIT socket expired and the"
                + " whole run is the 60 s window.", runSeconds);
        String shortfall = window < ports * 0.98 && t.totalNoPort == 0
                ? " The run ended before the range was full: connect() slows down long before it fails, because it first scans every"
                        + " port of one parity held in TIME_WAIT (__inet_hash_connect); a longer run fills it." : "";
        // each reset that ends a TIME_WAIT socket early frees one port for one more connection (see EndedEarly)
        long extra = s.endedEarly();
        // Once one parity's ports are all held, every connect() scans them before it finds a free port of the
        // other (__inet_hash_connect), so on a slow machine the range may not fill before the first TIME_WAIT
        // expires: the window then holds the first parity plus what the scan-limited rate adds in the rest of it.
        int firstParity = TcpModel.usablePortsByParity(settings)[0];
        double[] scan = t.scanPhase(firstParity, ports);
        double model = ports;
        double low = ports * 0.98;
        double high = (ports + extra) * 1.02;
        String scanWhy = "";
        String band = "N − 2 % to N + one per early-ended TIME_WAIT (" + extra + ") + 2 %";
        // the seconds the busiest window covers: the first 60, or the whole of a shorter run
        int windowSeconds = Math.min(runSeconds, TcpModel.TIME_WAIT_SECONDS);
        boolean filled = window >= low || t.totalNoPort > 0;
        boolean scanLimited = false;
        if (scan != null) {
            double rest = Math.max(0, windowSeconds - scan[0]);
            double reach = firstParity + scan[2] * rest;
            scanWhy = String.format(Locale.ROOT, " connect() scans the held ports of one parity before it finds a free one: the first"
                    + " %d were held after %.0f s, then it managed %s connections a second (%s to %s), %s.", firstParity, scan[0],
                    Format.number(scan[2]), Format.number(scan[1]), Format.number(scan[3]), reach >= ports
                    ? "enough to fill the range " + (runSeconds > windowSeconds ? "before the first TIME_WAIT socket expired" : "in this run")
                    : String.format(Locale.ROOT, "too slow to fill the range %s: %s of %d in %d s,"
                            + " not the %s per second the folklore's ceiling assumes", runSeconds > windowSeconds
                            ? "before the first TIME_WAIT socket expired" : "in this run", Format.number(reach), ports, windowSeconds,
                            Format.number(TcpModel.portCeilingPerSecond(ports))));
            if (reach < ports) {
                scanLimited = true;
                model = Math.round(reach);
                low = Math.min(ports, firstParity + scan[1] * rest) * 0.98;
                high = Math.min(ports, firstParity + scan[3] * rest + extra) * 1.02;
                band = "the first parity plus the slowest to the fastest scan-limited second over the rest of the 60 s, ± 2 %";
            }
        }
        if (!filled && !scanLimited) {
            // a client that never filled the range, with no scan phase to model it by, tests only "at most N"
            low = 0;
            band = "at most N + one per early-ended TIME_WAIT (" + extra + ") + 2 %: the range never filled";
        }
        String scaled = TcpModel.scaledFromDefaults(settings, PORT_RANGE);
        String atDefaults = scaled.isEmpty() ? "" : TcpModel.DEFAULT_PORTS + " connections per 60 s window";
        Claim c = Claim.between(reuseAsked ? "C4" : "C3", PortExhaustionExperiment.NAME, s.where(), WINDOW, model, window, low, high,
                String.format(Locale.ROOT, "%s. Each connection holds its port for 60 s in TIME_WAIT, so %d ports allow at most %d new"
                        + " connections per 60 s, at most %s per second sustained; then connect() fails with EADDRNOTAVAIL (%d times here).%s%s%s%s",
                        why, ports, ports, Format.number(TcpModel.portCeilingPerSecond(ports)), t.totalNoPort, scanWhy, over, shortfall,
                        s.endedEarlyWhy()))
                .band(band).scaled(scaled, atDefaults);
        if (!filled && !scanLimited) {
            c = c.shortOf(String.format(Locale.ROOT, "the client used %s of the %d ports, so the ceiling was never reached",
                    Format.number(window), ports));
        }
        // the claim is a sustained rate: only a run past the first TIME_WAIT expiry (60 s, up to a 2 s timer granule late) sees the refill
        return runSeconds > TcpModel.TIME_WAIT_SECONDS + 3 ? c : c.shortOf(String.format(Locale.ROOT,
                "a %d s run: %s, but no TIME_WAIT socket expired, so the refill that sets the sustained rate was not seen",
                runSeconds, filled ? "the ports ran out" : "the range did not fill"));
    }
}
