package tcplab.experiment;

/**
 * What a configuration's result depends on, which decides what may run beside it. A run puts
 * {@link #TIMER} configurations side by side, each in its own fresh namespaces, and gives each
 * {@link #CPU} one the machine to itself (see {@code tcplab.run.Schedule}).
 */
public enum Pace {
    /**
     * Its result is when or whether something happens (a kernel timer fires, a bind fails, a socket
     * ends in a state): the wait is the kernel's, the CPU idles, and a neighbour moves none of it by
     * more than the claim's tolerance ({@code ConcurrencyTest} shows it).
     */
    TIMER,
    /** Its result is a rate or a cost (connections per second, nanoseconds per connect): anything beside it would bend it. */
    CPU
}
