package tcplab.experiment.serverside.closewaitleak;

import static tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.AFTER_REQUESTS;
import static tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.NAME;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.experiment.Claim;
import tcplab.experiment.serverside.Binomial;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.LineRequest.Outcome;
import tcplab.experiment.Params;
import tcplab.experiment.serverside.closewaitleak.CloseWaitLeakExperiment.Handler;
import tcplab.experiment.serverside.closewaitleak.EventRow.Event;
import tcplab.experiment.serverside.closewaitleak.RequestRow.Phase;
import tcplab.kernel.TcpModel;
import tcplab.results.Format;
import tcplab.results.RunData;

/**
 * C13's claims, from the raw files alone. The leaky handler: CLOSE_WAIT stays through the hold, the
 * descriptors run out, accept() fails, requests go unanswered while the CPU stays idle, and only
 * close() frees them; and what the kernel did with a SYN into CLOSE_WAIT. The correct handler: every
 * request answered.
 */
final class Claims {
    static final Claim.Metric MAX_FDS = Claim.Metric.of("max_server_fds", "most open descriptors of the server", "descriptors");
    static final Claim.Metric FAILING = Claim.Metric.of("requests_answered_share_failing", "share of requests answered once accept() fails", "");
    /** Generous for 2 jiffies (8 ms at HZ=250, 20 ms at HZ=100), far below the 1 s of the initial SYN timeout. */
    static final double QUICK_RESEND_SECONDS = 0.1;

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            Trace t = Trace.read(data, r);
            if (r.ok() && t.complete()) {
                Params p = data.params(r);
                for (Claim c : of(data.where(r, "net.ipv4.tcp_fin_timeout"), p.choice("handler", Handler.class), p.integer("fdLimit"), t)) {
                    claims.add(c.metric().id().equals("reconnect_into_close_wait") ? c.explainedFurther(Ladders.captureNote(data, r)) : c);
                }
            }
        }
        return claims;
    }

    /** One configuration's claims; {@code limit} is the server's descriptor limit. */
    static List<Claim> of(Claim.Where where, Handler handler, int limit, Trace t) {
        List<Claim> claims = new ArrayList<>();
        if (handler == Handler.LEAKY) {
            leaky(claims, where, limit, t);
            if (!t.reconnect().isEmpty()) {
                claims.add(reconnect(where, t.reconnect().get(0)));
            }
            return claims;
        }
        List<RequestRow> traffic = t.requests(Phase.TRAFFIC);
        long answered = Trace.count(traffic, Outcome.ANSWERED);
        claims.add(Claim.between("C13", NAME, where, Claim.Metric.of("requests_answered_share", "share of requests answered", ""),
                1, traffic.isEmpty() ? Double.NaN : Math.round(1000.0 * answered / traffic.size()) / 1000.0, 0.95, 1, "The handler closes"
                        + " once the client has: no CLOSE_WAIT piles up (at most " + t.mostUntilClose(SampleRow::serverCloseWait)
                        + " at once, between the client's FIN and the close), descriptors stay at " + t.mostUntilClose(SampleRow::serverFds)
                        + " of " + limit + ".").band("at least 95 % answered"));
        if (!traffic.isEmpty()) { // a few requests all answered fit 95 % as well as 100 %
            claims.set(claims.size() - 1, Binomial.judged(claims.get(claims.size() - 1), 0.95, (double) answered / traffic.size(),
                    traffic.size(), "requests"));
        }
        return claims;
    }

    private static void leaky(List<Claim> claims, Claim.Where where, int limit, Trace t) {
        SampleRow holdStart = t.sampleBefore(t.at(Event.HOLD) + Sampler.EVERY_MILLIS + 1);
        SampleRow holdEnd = t.sampleBefore(t.at(Event.CLOSE));
        if (holdStart != null && holdEnd != null) {
            claims.add(held(where, holdStart, holdEnd));
        }
        long maxFds = t.mostUntilClose(SampleRow::serverFds);
        long baseline = t.samples().isEmpty() ? 0 : t.samples().get(0).serverFds();
        long sent = t.requests().size();
        if (sent < limit - baseline) {
            claims.add(Claim.skipped("C13", NAME, where, MAX_FDS, String.format(Locale.ROOT,
                    "%s cannot use up %d free descriptors (%d of %d in use at the start): raise rate or traffic, or lower"
                            + " fdLimit.", Format.count(sent, "request"), limit - baseline, baseline, limit)));
        } else {
            claims.add(Claim.check("C13", NAME, where, MAX_FDS, Integer.toString(limit), Long.toString(maxFds), maxFds == limit,
                    "Every leaked connection keeps its descriptor; accept() fails with EMFILE once all " + limit
                            + " (RLIMIT_NOFILE) are in use."));
            String error = t.acceptErrors().isEmpty() ? "none" : t.acceptErrors().get(0).error();
            claims.add(Claim.check("C13", NAME, where, Claim.Metric.of("accept_errors", "accept() errors", ""), "Too many open files",
                    t.acceptErrors().size() + " × " + error, !t.acceptErrors().isEmpty() && error.contains("Too many open files"),
                    "Out of descriptors, accept() cannot take the next connection from the accept queue."));
        }
        if (t.firstError() > 0) {
            failing(claims, where.and("phase=failing"), t);
        }
        SampleRow afterClose = t.sampleBefore(t.at(Event.AFTER));
        if (afterClose != null) {
            long left = afterClose.serverCloseWait();
            List<RequestRow> after = t.requests(Phase.AFTER);
            long answered = Trace.count(after, Outcome.ANSWERED);
            claims.add(Claim.check("C13", NAME, where.and("phase=closed"), Claim.Metric.of("close_wait_after_close",
                    "CLOSE_WAIT sockets once the server closed its leaked connections, and requests answered after", ""),
                    "0 sockets; " + AFTER_REQUESTS + " of " + AFTER_REQUESTS + " answered", left + " sockets; " + answered + " of "
                            + after.size() + " answered", left == 0 && answered == after.size(), "Only close() (or the process exiting)"
                            + " ends CLOSE_WAIT: the socket sends its FIN and goes. With descriptors free again, accept() works."));
        }
    }

    /** CLOSE_WAIT through the quiet hold: the same count at its start and its end. */
    private static Claim held(Claim.Where where, SampleRow start, SampleRow end) {
        long a = start.serverCloseWait();
        long b = end.serverCloseWait();
        double seconds = (end.atMs() - start.atMs()) / 1000.0;
        Claim held = Claim.check("C13", NAME, where.and("phase=hold"), Claim.Metric.of("close_wait_after_hold",
                "CLOSE_WAIT sockets after the quiet hold", "sockets"), Long.toString(a), Long.toString(b), a > 0 && a == b,
                String.format(Locale.ROOT, "CLOSE_WAIT has no timer: the kernel waits for the application to close. %d sockets at the"
                        + " start of a %.1f s hold without traffic, %d at its end, while the client's side of the same connections"
                        + " (FIN_WAIT_2) timed out after tcp_fin_timeout.", a, seconds, b));
        // "never" is a claim about every TCP timer: a hold past TIME_WAIT's 60 s and the default tcp_fin_timeout outlives them
        // + 3 s: the 60 s timers' timer-wheel granule (2.048 s at HZ 250; docs/claims.md), rounded up
        return seconds > TcpModel.TIME_WAIT_SECONDS + 3 ? held : held.shortOf(String.format(Locale.ROOT, "a %.1f s hold; past 63 s"
                + " (60 s, TIME_WAIT's length and the default tcp_fin_timeout, + 3 s for those timers' 2.048 s timer-wheel granule at"
                + " CONFIG_HZ = 250) it would outlast both", seconds));
    }

    /** Once accept() fails: requests go unanswered, and the server's CPU says nothing of it. */
    private static void failing(List<Claim> claims, Claim.Where where, Trace t) {
        // a request sent after accept() first failed (and its back-off) can only queue: nothing leaked is ever freed
        List<RequestRow> late = t.requests(Phase.TRAFFIC).stream()
                .filter(q -> q.atMs() > t.firstError() + CloseWaitLeakExperiment.ACCEPT_BACKOFF_MILLIS).toList();
        long answered = Trace.count(late, Outcome.ANSWERED);
        long noAnswer = Trace.count(late, Outcome.NO_ANSWER);
        if (late.isEmpty()) {
            claims.add(Claim.skipped("C13", NAME, where, FAILING, "The traffic ended before accept() failed: raise traffic or rate."));
        } else {
            claims.add(Claim.between("C13", NAME, where, FAILING, 0, Math.round(1000.0 * answered / late.size()) / 1000.0, 0, 0.05,
                    String.format(Locale.ROOT, "Of %s sent after accept() first failed, %d connected but got no answer (they"
                            + " waited in the accept queue, which holds backlog + 1 = %d) and %d did not connect (the queue was full,"
                            + " SYNs dropped).", Format.count(late.size(), "request"), noAnswer, CloseWaitLeakExperiment.BACKLOG + 1,
                            late.size() - answered - noAnswer)).band("at most 5 % answered"));
            // none of a few answered fits a port that answers 5 % as well as a dead one
            claims.set(claims.size() - 1, Binomial.judged(claims.get(claims.size() - 1), 0.05, (double) answered / late.size(),
                    late.size(), "requests after accept() failed"));
        }
        double cpu = t.cpuWhileFailing();
        claims.add(Claim.check("C13", NAME, where, Claim.Metric.of("server_cpu_failing", "server CPU while it fails", ""),
                "below 10% of a core", Double.isNaN(cpu) ? "" : share(cpu), cpu < 0.10, "A server whose threads all wait uses"
                        + " almost no CPU: nothing in top or a CPU graph shows the failure. (The accept loop backs off 100 ms after an"
                        + " error; one that retried at once would spin a core instead.)"));
    }

    /** A CPU time per wall time, as the rows say it. */
    static String share(double cpu) {
        return String.format(Locale.ROOT, "%.1f%% of a core", 100 * cpu);
    }

    /**
     * The model for a SYN that meets a connection in CLOSE_WAIT: RFC 5961 4.2 as Linux implements it
     * (tcp_validate_incoming) answers it with a challenge ACK. The client, in SYN_SENT, answers the
     * unacceptable ACK with a RST that kills the stale socket, and since 2020 (commit 9603d47bad46,
     * "Reduce SYN resend delay if a suspicous ACK is received") resends its SYN after TCP_TIMEOUT_MIN
     * (2 jiffies) instead of the initial 1 s timeout.
     */
    static boolean challengeAckSequence(ReconnectRow r) {
        return r.outcome() == Outcome.ANSWERED && r.challengeAcks() >= 1 && r.connectUs() / 1e6 < QUICK_RESEND_SECONDS;
    }

    private static Claim reconnect(Claim.Where where, ReconnectRow r) {
        boolean answered = r.outcome() == Outcome.ANSWERED;
        return Claim.check("C13", NAME, where.and("phase=reconnect"), Claim.Metric.of("reconnect_into_close_wait",
                        "new connection from a source port the server holds in CLOSE_WAIT", ""), "challenge ACK, the client resets and"
                        + " resends its SYN at once: connected within " + (long) (QUICK_RESEND_SECONDS * 1000) + " ms",
                String.format(Locale.ROOT, "%s after %.3f s; %s, %s from the client", answered ? "connected" : r.outcome(),
                        r.connectUs() / 1e6, Format.count(r.challengeAcks(), "challenge ACK"), Format.count(r.clientResets(), "RST")),
                challengeAckSequence(r), "Older write-ups say such a"
                        + " connect hangs, and kernels before 2020 took the initial 1 s SYN timeout. The server's socket was "
                        + r.serverStateBefore() + "; the counters show what this kernel did.");
    }
}
