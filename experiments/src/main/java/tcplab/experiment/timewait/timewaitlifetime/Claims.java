package tcplab.experiment.timewait.timewaitlifetime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Connection;
import tcplab.experiment.timewait.timewaitlifetime.ClosedRow.Kind;
import tcplab.experiment.timewait.timewaitlifetime.ObservedRow.Event;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;
import tcplab.results.Stats;

/** C2's claims: per configuration and kind of close, the sockets' median lifetime against the model. */
final class Claims {
    static final String FIN_TIMEOUT = "net.ipv4.tcp_fin_timeout";

    private Claims() {
    }

    /** One socket's life: seconds from close() to its end, watched to the end or read from the kernel's timer. */
    record Life(Kind kind, double seconds, boolean observed) {
    }

    /** One configuration's sockets of one kind, and the model's lifetime for them. */
    record Lifetimes(Kind kind, List<Double> seconds, boolean observed, double model) {
        double min() {
            return seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double median() {
            return Stats.median(seconds);
        }

        double max() {
            return seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok()) {
                claims.addAll(of(data.where(r, FIN_TIMEOUT), r.sysctls(), data.params(r).integer("watch"), data.hz(), data.hzText(),
                        lifetimes(data, r)));
            }
        }
        return claims;
    }

    /** A configuration's lifetimes, from its raw files. */
    static List<Lifetimes> lifetimes(ExperimentData data, RunData.Result r) throws IOException {
        return lifetimes(finTimeout(r.sysctls()), ClosedRow.TABLE.read(data, r), ObservedRow.TABLE.read(data, r));
    }

    static double finTimeout(Map<String, String> sysctls) {
        return Double.parseDouble(sysctls.getOrDefault(FIN_TIMEOUT, "60"));
    }

    /** The model: TIME_WAIT lasts TCP_TIMEWAIT_LEN whatever tcp_fin_timeout says; an orphaned FIN_WAIT_2 lasts tcp_fin_timeout. */
    static List<Lifetimes> lifetimes(double finTimeout, List<ClosedRow> closed, List<ObservedRow> observed) {
        List<Life> lives = lives(closed, observed);
        List<Lifetimes> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            List<Life> these = lives.stream().filter(l -> l.kind() == kind).toList();
            if (!these.isEmpty()) {
                all.add(new Lifetimes(kind, these.stream().map(Life::seconds).toList(), these.stream().allMatch(Life::observed),
                        kind == Kind.TIME_WAIT ? TcpModel.TIME_WAIT_SECONDS : finTimeout));
            }
        }
        return all;
    }

    /** Each closed socket's life: until it left the table, else its time so far plus the timer it was first seen with. */
    static List<Life> lives(List<ClosedRow> closed, List<ObservedRow> observed) {
        Map<Connection, ObservedRow> first = new LinkedHashMap<>();
        Map<Connection, Long> gone = new HashMap<>();
        for (ObservedRow o : observed) {
            if (o.event() == Event.SEEN) {
                first.putIfAbsent(o.connection(), o);
            } else {
                gone.put(o.connection(), o.atMs());
            }
        }
        List<Life> lives = new ArrayList<>();
        for (ClosedRow c : closed) {
            ObservedRow seen = first.get(c.connection());
            if (gone.containsKey(c.connection())) {
                lives.add(new Life(c.kind(), (gone.get(c.connection()) - c.closedMs()) / 1000.0, true));
            } else if (seen != null && seen.timerMs() != null) {
                double spent = seen.atMs() - c.closedMs();
                lives.add(new Life(c.kind(), (spent + seen.timerMs()) / 1000.0, false));
            }
        }
        return lives;
    }

    /** One configuration's claims; {@code watch} is how long it watched, {@code hz} the kernel's CONFIG_HZ. */
    static List<Claim> of(Claim.Where where, Map<String, String> sysctls, int watch, int hz, String hzText, List<Lifetimes> measured) {
        double finTimeout = finTimeout(sysctls);
        List<Claim> claims = new ArrayList<>();
        for (Lifetimes l : measured) {
            double expected = l.model();
            double med = l.median();
            int sockets = l.seconds().size();
            String why = l.kind() == Kind.TIME_WAIT
                    ? String.format(Locale.ROOT, "TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, compiled into the kernel; tcp_fin_timeout (%.0f s"
                            + " here) does not enter into it. %s, over %s; the socket table is read every 100 ms (up to 0.15 s apart,"
                            + " the read included) and the kernel shows timers in 1/100 s.", finTimeout, method(l.observed()),
                            Format.count(sockets, "socket"))
                    : String.format(Locale.ROOT, "An orphaned socket in FIN_WAIT_2 (the peer never sends its FIN) is dropped after"
                            + " tcp_fin_timeout = %.0f s. %s, over %s.", finTimeout, method(l.observed()),
                            Format.count(sockets, "socket"));
            // A kernel timer never fires early and fires up to one granule of the timer wheel's level late
            // (TcpModel.timerGranuleSeconds); the table is polled every 100 ms. The kernel's own timer, read
            // before it fires, shows the requested expiry to 1/100 s, without that lateness.
            double granule = TcpModel.timerGranuleSeconds(expected, hz);
            double poll = TimeWaitLifetimeExperiment.POLL_SECONDS;
            double high = l.observed() ? expected + granule + poll : expected + poll;
            String name = l.kind().name();
            Claim.Metric metric = Claim.Metric.of(name.toLowerCase(Locale.ROOT) + "_lifetime_s", name + " lifetime (median)", "s");
            Claim claim = Claim.between("C2", "time-wait-lifetime", where.and("state=" + name), metric, expected,
                    Math.round(med * 100) / 100.0, expected - poll, high, why + (l.observed() ? String.format(Locale.ROOT, " A %.0f s timer"
                            + " lands on a level of the kernel's timer wheel whose granule is %.3f s at %s, so it fires from %.0f to %.3f s,"
                            + " seen up to %.2f s later between two reads of the socket table: %.2f s is within that.", expected, granule, hzText, expected,
                            expected + granule, poll, med) : ""))
                    .band(l.observed() ? String.format(Locale.ROOT, "timer-wheel granule %.3f s (%s) + %.2f s between two reads of the socket"
                            + " table", granule, hzText, poll) : String.format(Locale.ROOT, "%.2f s between two reads of the socket table;"
                            + " the kernel's timer shows the requested expiry", poll));
            if (l.kind() == Kind.FIN_WAIT2) {
                String scaled = TcpModel.scaledFromDefaults(sysctls, FIN_TIMEOUT);
                claim = claim.scaledAtAnyValue(scaled, scaled.isEmpty() ? "" : TcpModel.DEFAULTS.get(FIN_TIMEOUT) + " s");
            }
            claims.add(l.observed() ? claim : claim.shortOf(String.format(Locale.ROOT, "read from the kernel's timer during a %d s watch,"
                    + " not watched to the socket's end", watch)));
        }
        return claims;
    }

    private static String method(boolean observed) {
        return observed ? "Measured by watching each socket leave the socket table"
                : "Measured by the kernel's own timer (the time already spent plus the time its timer still showed), because the"
                        + " sockets outlived the watch";
    }
}
