package tcplab.experiment.serverside.listenportcollision;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.experiment.Claim;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.serverside.Binomial;
import tcplab.experiment.serverside.listenportcollision.BindRow.Case;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;

/** C8's claims, from the binds alone: how often each port was taken, against the model, and whether a held port explains every failure. */
final class Claims {
    static final String RANGE = "net.ipv4.ip_local_port_range";
    static final String RESERVED = "net.ipv4.ip_local_reserved_ports";

    private Claims() {
    }

    static List<Claim> of(ExperimentData data) throws IOException {
        List<Claim> claims = new ArrayList<>();
        for (RunData.Result r : data.trials()) {
            if (r.ok()) {
                claims.addAll(of(data.where(r, RANGE, RESERVED), r.sysctls(), BindRow.TABLE.read(data, r)));
            }
        }
        return claims;
    }

    /** The trials of one case in one configuration. */
    record Tally(int trials, int failed, int held, int failedNotHeld, int connections) {
        double rate() {
            return trials == 0 ? Double.NaN : (double) failed / trials;
        }

        Tally plus(BindRow row) {
            return new Tally(trials + 1, failed + (row.failed() ? 1 : 0), held + (row.held() ? 1 : 0),
                    failedNotHeld + (row.failed() != row.held() ? 1 : 0), Math.max(connections, row.connections()));
        }
    }

    static Map<Case, Tally> tally(List<BindRow> rows) {
        Map<Case, Tally> tallies = new EnumMap<>(Case.class);
        rows.forEach(row -> tallies.put(row.portCase(), tallies.getOrDefault(row.portCase(), new Tally(0, 0, 0, 0, 0)).plus(row)));
        return tallies;
    }

    /**
     * One configuration's claims, in the range and reserved ports of {@code sysctls}; {@code where}
     * names both (the inside row drops the reserved ports, the mechanism row both).
     */
    static List<Claim> of(Claim.Where where, Map<String, String> sysctls, List<BindRow> rows) {
        List<Claim> claims = new ArrayList<>();
        int[] byParity = TcpModel.usablePortsByParity(sysctls);
        Map<Case, Tally> tallies = tally(rows);
        for (Case c : Case.values()) {
            Tally t = tallies.get(c);
            Claim.Where at = where.and("port=" + c.name());
            claims.add(t == null ? Claim.skipped("C8", ListenPortCollisionExperiment.NAME, at.without(RANGE, RESERVED), metric(c),
                    c == Case.RESERVED ? "No port of ip_local_reserved_ports lies inside the range; set one (the plans reserve one) to test it."
                            : "The range leaves no port for this case.")
                    : claim(c, at, t, byParity));
        }
        Tally first = tallies.get(Case.FIRST_PARITY);
        Tally other = tallies.get(Case.OTHER_PARITY);
        if (first != null && other != null) {
            claims.add(inside(where.without(RESERVED).and("port=INSIDE"), first, other, byParity));
        }
        int failedNotHeld = tallies.values().stream().mapToInt(Tally::failedNotHeld).sum();
        claims.add(Claim.check("C8", ListenPortCollisionExperiment.NAME, where.without(RANGE, RESERVED), Claim.Metric.of("binds_unexplained",
                "binds whose outcome an outgoing connection on the port did not explain", "binds"), "0", Integer.toString(failedNotHeld),
                failedNotHeld == 0, "bind() failed exactly when one of the host's outgoing connections held the port (its socket has no"
                        + " SO_REUSEADDR, so the two conflict), and succeeded otherwise: the collision is the whole mechanism."));
        return claims;
    }

    /** The model's chance for a case, given the connections held. */
    static double model(Case c, int connections, int[] byParity) {
        return switch (c) {
            case FIRST_PARITY -> TcpModel.portTakenProbability(connections, byParity[0], byParity[1], true);
            case OTHER_PARITY -> TcpModel.portTakenProbability(connections, byParity[0], byParity[1], false);
            case BELOW_RANGE, RESERVED -> 0.0;
        };
    }

    /** What a parity-blind allocator would give either parity: the share of the usable ports in use. */
    private static double parityBlind(int connections, int[] byParity) {
        return Math.min(1, (double) connections / (byParity[0] + byParity[1]));
    }

    private static Claim.Metric metric(Case c) {
        return Claim.Metric.of("bind_failed_share_" + c.name().toLowerCase(Locale.ROOT), "share of trials where bind() failed, " + c.text, "");
    }

    private static Claim claim(Case c, Claim.Where where, Tally t, int[] byParity) {
        Claim.Metric metric = metric(c);
        if (c == Case.BELOW_RANGE || c == Case.RESERVED) {
            return Claim.check("C8", ListenPortCollisionExperiment.NAME, where, metric, "0", Claim.number(t.rate()), t.failed() == 0,
                    c == Case.BELOW_RANGE ? "connect() only picks ports inside ip_local_port_range, so a port below it is never taken."
                            : "connect() skips ports listed in ip_local_reserved_ports, so a reserved port inside the range stays free.");
        }
        double p = model(c, t.connections(), byParity);
        // the trials are not independent (connect() moves on from where the last one stopped), which if anything spreads the
        // ports more evenly than chance would
        double tol = Binomial.tolerance(p, t.trials());
        String why = String.format(Locale.ROOT, "%d connections held; connect() fills the %d usable ports with the parity of the range's"
                        + " low end before the %d of the other, so the chance is %s. Allowed: %s (3 binomial standard deviations over %d"
                        + " trials, plus half a trial).", t.connections(), byParity[0], byParity[1],
                c == Case.FIRST_PARITY ? "min(1, n/E)" : "max(0, (n - E)/O)", Binomial.plusMinus(tol), t.trials());
        Claim claim = Claim.between("C8", ListenPortCollisionExperiment.NAME, where, metric, Math.round(p * 1000) / 1000.0,
                Math.round(t.rate() * 1000) / 1000.0, Math.max(0, p - tol), Math.min(1, p + tol), why)
                .band(String.format(Locale.ROOT, "%s: 3 binomial standard deviations over %d trials, + half a trial", Binomial.plusMinus(tol),
                        t.trials()));
        // a band that also holds what a parity-blind allocator would give does not show the parity rule, however well it fits
        double blind = parityBlind(t.connections(), byParity);
        if (Math.abs(blind - p) < 1e-9 || Binomial.tells(p, blind, t.trials())) {
            return claim;
        }
        return claim.shortOf(String.format(Locale.ROOT, "only %d trials: too few to tell the parity rule's %s from a parity-blind"
                + " allocator's %s%s", t.trials(), share(p), share(blind), Binomial.trialsToTell(p, blind)));
    }

    /** A chance as a horizon states it: to 0.01. */
    private static String share(double p) {
        return Claim.number(Math.round(p * 100) / 100.0);
    }

    /** Both parities together: a port inside the range is taken with a chance equal to the share of the range in use. */
    private static Claim inside(Claim.Where where, Tally first, Tally other, int[] byParity) {
        double p1 = model(Case.FIRST_PARITY, first.connections(), byParity);
        double p2 = model(Case.OTHER_PARITY, other.connections(), byParity);
        double share = parityBlind(first.connections(), byParity);
        double rate = (first.rate() + other.rate()) / 2;
        double tol = 3 * Math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / (4.0 * first.trials())) + 0.5 / first.trials();
        return Claim.between("C8", ListenPortCollisionExperiment.NAME, where, Claim.Metric.of("bind_failed_share_inside",
                        "share of trials where bind() failed, a port inside the range (both parities)", ""),
                Math.round((p1 + p2) / 2 * 1000) / 1000.0, Math.round(rate * 1000) / 1000.0, Math.max(0, (p1 + p2) / 2 - tol),
                Math.min(1, (p1 + p2) / 2 + tol), String.format(Locale.ROOT, "Averaged over the two parities, a port inside the range is"
                        + " taken with a chance equal to the share of the range in use (%.1f%%; reserved ports can leave the two parities"
                        + " slightly different in size). Allowed: %s (3 binomial standard deviations, plus half a trial).", 100 * share,
                        Binomial.plusMinus(tol)))
                .band(String.format(Locale.ROOT, "%s: 3 binomial standard deviations over 2 × %d trials, + half a trial",
                        Binomial.plusMinus(tol), first.trials()));
    }
}
