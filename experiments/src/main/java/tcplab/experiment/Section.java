package tcplab.experiment;

import java.util.List;

/** What an experiment contributes to a report: its name, Markdown (charts already drawn) and its claims.csv rows. */
public record Section(String experiment, String title, String markdown, List<Claim> claims) {
}
