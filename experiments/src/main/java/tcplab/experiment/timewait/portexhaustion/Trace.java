package tcplab.experiment.timewait.portexhaustion;

import java.util.ArrayList;
import java.util.List;
import tcplab.kernel.TcpModel;

/** One configuration's seconds as arrays, and what the claims read from them. */
final class Trace {
    final double[] seconds;
    final double[] ok;
    final double[] timeWait;
    final double[] noPort;
    final long totalOk;
    final long totalNoPort;

    Trace(List<SecondRow> rows) {
        int n = rows.size();
        seconds = new double[n];
        ok = new double[n];
        timeWait = new double[n];
        noPort = new double[n];
        long sum = 0;
        long failed = 0;
        for (int i = 0; i < n; i++) {
            SecondRow row = rows.get(i);
            seconds[i] = row.second();
            ok[i] = row.ok();
            timeWait[i] = row.timeWait();
            noPort[i] = row.addrNotAvailable();
            sum += row.ok();
            failed += row.addrNotAvailable();
        }
        totalOk = sum;
        totalNoPort = failed;
    }

    /** The most connections completed in any 60 consecutive seconds (the whole run when shorter). */
    double maxIn60Seconds() {
        double best = 0;
        for (int i = 0; i < ok.length; i++) {
            double sum = 0;
            for (int j = i; j < Math.min(ok.length, i + 60); j++) {
                sum += ok[j];
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    /** Mean complete connections per second after the first second (the first fills the range). */
    double steadyRate() {
        if (ok.length < 2) {
            return ok.length == 0 ? 0 : ok[0];
        }
        double sum = 0;
        for (int i = 1; i < ok.length; i++) {
            sum += ok[i];
        }
        return sum / (ok.length - 1);
    }

    /**
     * When connect() had to scan: {seconds until the first parity's ports were held, slowest,
     * median and fastest connections per second after that until the range filled or the first
     * TIME_WAIT expiry}; null when the whole range filled within a second or two (no scan phase).
     */
    double[] scanPhase(int firstParity, int ports) {
        long cumulative = 0;
        int filled = -1;
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < ok.length; i++) {
            cumulative += (long) ok[i];
            if (filled < 0 && cumulative >= 0.98 * firstParity) {
                filled = i;
            } else if (filled >= 0 && seconds[i] < TcpModel.TIME_WAIT_SECONDS - 1 && cumulative < 0.98 * ports) {
                rates.add(ok[i]);
            }
        }
        if (filled < 0 || rates.size() < 2) {
            return null;
        }
        List<Double> sorted = rates.stream().sorted().toList();
        return new double[] {seconds[filled], sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)};
    }

    long noPortAfterFirstSecond() {
        long sum = 0;
        for (int i = 1; i < noPort.length; i++) {
            sum += (long) noPort[i];
        }
        return sum;
    }

    long lastTimeWait() {
        return timeWait.length == 0 ? 0 : (long) timeWait[timeWait.length - 1];
    }
}
