package tcplab.experiment.timewait.timewaitscale;

import java.io.IOException;
import java.util.List;
import tcplab.chart.Markdown;
import tcplab.experiment.Claim;
import tcplab.experiment.Experiment;
import tcplab.experiment.ExperimentData;
import tcplab.experiment.Section;
import tcplab.results.RunData;

/** C5's report section: per configuration, the connections made, the room the model gives them, and what the kernel held. */
final class Report {
    private Report() {
    }

    static Section section(Experiment experiment, ExperimentData data, List<Claim> claims) throws IOException {
        String memoryColumn = Claims.TW_MEMORY.label();
        Markdown.Table table = new Markdown.Table("configuration", "connections made", "local ports × server ports", "tcp_max_tw_buckets",
                "TIME_WAIT at once", "TCPTimeWaitOverflow", memoryColumn).numeric("connections made",
                "local ports × server ports", "tcp_max_tw_buckets", "TIME_WAIT at once", "TCPTimeWaitOverflow", memoryColumn);
        for (RunData.Result r : data.trials()) {
            List<MemoryRow> memory = MemoryRow.TABLE.read(data, r);
            if (!r.ok() || memory.isEmpty()) {
                table.row(r.label(), "not measured: " + r.status(), "", "", "", "", "");
                continue;
            }
            Tally t = Tally.of(data, r, memory.get(0));
            table.row(r.label(), t.made(), t.localPorts() + " × " + t.serverPorts(), t.buckets(), t.timeWait(), t.overflow(), perSocket(t));
        }
        String md = "One client connects to a server listening on several ports and closes first. The model: TIME_WAIT is keyed by the"
                + " 4-tuple, so N local ports × P server ports can be in TIME_WAIT at once, up to tcp_max_tw_buckets; past it the kernel"
                + " drops the socket and counts TCPTimeWaitOverflow. Each TIME_WAIT socket is one slot of the tw_sock_TCP slab cache"
                + " (its slab_size: a struct tcp_timewait_sock and the slab's free pointer); the table weighs it as the slots the cache"
                + " grew by, less the rest of the machine's drift, over the TIME_WAIT sockets held.\n\n" + table.markdown() + "\n";
        return new Section(experiment.name(), experiment.title(), md, claims);
    }

    private static String perSocket(Tally t) {
        if (!t.slabRead()) {
            return "not weighed (needs root)";
        }
        if (t.timeWait() <= 0) {
            return "";
        }
        return t.weighable() ? t.bytesPerSocket() + " B (slot: " + t.memory().slabSize() + " B)" : "not weighed (" + t.timeWait() + " sockets)";
    }
}
