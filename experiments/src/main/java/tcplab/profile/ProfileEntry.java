package tcplab.profile;

import tcplab.kernel.Sysctl;

/** One {@code key = value} line of a profile. */
public record ProfileEntry(int line, Sysctl key, String value) {
}
