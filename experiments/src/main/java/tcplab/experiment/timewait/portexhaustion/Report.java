package tcplab.experiment.timewait.portexhaustion;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import tcplab.chart.Markdown;
import tcplab.chart.Plots;
import tcplab.chart.Plots.Drawn;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.kernel.TcpModel;
import tcplab.results.RunData;
import tcplab.socket.CloseMode;

/** C3's and C4's report section: the rate each second by close mode, the TIME_WAIT it left, and a row per configuration. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        Markdown.Table table = new Markdown.Table("configuration", "ports N", "model", "connections: best 60 s window (all)", "EADDRNOTAVAIL",
                "TIME_WAIT at the end", "verdict").numeric("ports N", "connections: best 60 s window (all)", "EADDRNOTAVAIL", "TIME_WAIT at the end");
        Map<String, double[][]> finRate = Plots.series();
        Map<String, double[][]> rstRate = Plots.series();
        Map<String, double[][]> timeWait = Plots.series();
        for (RunData.Result r : data.trials()) {
            if (!r.ok()) {
                table.row(r.label(), "", "not measured: " + r.status(), "", "", "", "");
                continue;
            }
            Trace t = new Trace(SecondRow.TABLE.read(data, r));
            CloseMode mode = data.params(r).choice("closeMode", CloseMode.class);
            (mode == CloseMode.CLIENT_RST ? rstRate : finRate).put(r.label(), new double[][] {t.seconds, t.ok});
            if (mode == CloseMode.CLIENT_FIN) {
                timeWait.put(r.label(), new double[][] {t.seconds, t.timeWait});
            }
            Claim claim = claims.stream().filter(c -> c.where().configuration().equals(r.id())).findFirst().orElseThrow();
            table.row(r.label(), TcpModel.usablePorts(r.sysctls()), claim.metric().label() + " = " + claim.model(),
                    (long) t.maxIn60Seconds() + " (" + t.totalOk + ")", t.totalNoPort, t.lastTimeWait(), claim.verdict().word);
        }
        StringBuilder md = new StringBuilder("One client opens connections to one server as fast as it can, one configuration at a time in"
                + " fresh namespaces, and counts each second. The model: N usable ports, each held 60 s by TIME_WAIT without reuse (N / 60"
                + " new connections per second, sustained), or tcp_tw_reuse_delay with reuse (N / delay); none with an RST close.\n\n");
        drawn(md, rate(finRate, "CLIENT_FIN", data));
        drawn(md, rate(rstRate, "CLIENT_RST", data));
        if (!timeWait.isEmpty()) {
            String title = "TIME_WAIT sockets in the client host, profile " + data.profile();
            XYChart chart = Plots.lines(title, "second", "TIME_WAIT sockets", timeWait, null);
            data.charts().save(chart, "port-exhaustion-time-wait");
            drawn(md, new Drawn("port-exhaustion-time-wait", title, "Sockets in TIME_WAIT in the client's namespace, sampled each second (sockstat)."));
        }
        md.append(table.markdown()).append("\n");
        drawn(md, Ladders.draw(data));
        return new Section(experiment.name(), experiment.title(), md.toString(), claims);
    }

    private static Drawn rate(Map<String, double[][]> series, String mode, ExperimentData data) throws IOException {
        if (series.isEmpty()) {
            return null;
        }
        String name = "port-exhaustion-rate-" + mode;
        String title = "New connections per second with " + mode + ", profile " + data.profile();
        XYChart chart = Plots.lines(title, "second", "complete connections / s", series, null);
        data.charts().save(chart, name);
        return new Drawn(name, title, "Complete connections each second, one line per configuration (labels name the sysctls the plan"
                + " set on top of the profile).");
    }

    private static void drawn(StringBuilder md, Drawn d) {
        if (d != null) {
            md.append(d.markdown("charts"));
        }
    }
}
