package tcplab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import tcplab.experiment.Pace;
import tcplab.plan.Configuration;
import tcplab.plan.MachineSpeed;

/**
 * The order a run takes its configurations in, and how long that takes. Timer-bound configurations
 * ({@link Pace#TIMER}) go first, up to {@link #slots} of them side by side, the longest first, so the
 * longest wait starts at once and the short ones fill in beside it; then the CPU-bound ones, one at a
 * time with the machine to themselves, in the plan's order. A pure function of the plan: the same
 * schedule gives the estimate printed at the start, the time left while it runs, and {@code make list}.
 */
public record Schedule(List<Configuration> timerBound, List<Configuration> cpuBound, int slots) {

    /** Timer-bound configurations side by side when nothing says otherwise (see {@link #defaultSlots}). */
    public static final int DEFAULT_SLOTS = 6;
    /** The most a run allows: each configuration holds two namespaces, their processes and a few agents' JVMs. */
    public static final int MAX_SLOTS = 16;
    /** What one timer-bound configuration holds at most: its hosts, two or three agent JVMs (measured: under 250 MB). */
    static final long BYTES_PER_SLOT = 400L << 20;
    /** Descriptors one configuration may hold (close-wait-leak's server goes up to its fdLimit, 256 in the full plan). */
    static final long DESCRIPTORS_PER_SLOT = 1024;

    /** {@code slots} of 1 runs everything one after another, as two machines and host mode do. */
    public static Schedule of(List<Configuration> configurations, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, not " + slots);
        }
        if (slots == 1) {
            return new Schedule(List.of(), List.copyOf(configurations), 1);
        }
        List<Configuration> timer = new ArrayList<>();
        List<Configuration> cpu = new ArrayList<>();
        for (Configuration c : configurations) {
            (c.pace() == Pace.TIMER ? timer : cpu).add(c);
        }
        // longest first: the classic greedy for the shortest finish on parallel slots (within 4/3 of the best)
        timer.sort(Comparator.comparing(Configuration::expected).reversed().thenComparing(Configuration::index));
        return new Schedule(List.copyOf(timer), List.copyOf(cpu), slots);
    }

    /** In the order they start. */
    public List<Configuration> order() {
        List<Configuration> all = new ArrayList<>(timerBound);
        all.addAll(cpuBound);
        return all;
    }

    /**
     * CPU time one timer-bound configuration takes though it mostly waits (its hosts, sysctls and two or
     * three agent JVMs starting, on C1 alone, see JavaCommand), in starts of the probe's JVM
     * ({@link MachineSpeed#probeCpu}). Fitted to the quick plan's 27 side by side on two 2-core
     * machines, on both cores and under one core's cgroup quota: a 2.6 GHz Xeon (probe 0.37 s of CPU;
     * 20.9 to 21.9 s on two cores, 28.3 s on one; 2026-12-05) needs about 2.0, an AMD EPYC (0.43 s and
     * 0.39 s; 24.1 s and 35.7 s; 2026-12-06) about 2.8, as its agents' start-ups cost more than its probe
     * says. With 2.4 the EPYC's quick runs of that day came 2 to 9 % over their estimates (ten runs, one
     * of them on one core's quota), the Xeon's would have been within 6 % either way. Neither bound alone
     * fits: on one core the CPU is the limit, on two the slots' waits stretched by the start-ups.
     */
    public static final double TIMER_CONFIGURATION_CPU_IN_PROBES = 2.4;

    /** The wall time this schedule should take: the timer-bound ones' finish on their slots, then the CPU-bound ones' sum. */
    public Duration expected() {
        return timerWall(List.of(), timerBound.stream().map(Configuration::expected).toList(), slots)
                .plus(sum(cpuBound.stream().map(Configuration::expected).toList()));
    }

    /** The timer-bound ones' wall time on this machine's cores: {@link #shared}, each with its start-ups' CPU. */
    public static Duration timerWall(List<Duration> busy, List<Duration> queued, int slots) {
        if (slots == 1 || queued.isEmpty()) {
            return makespan(busy, queued, slots);
        }
        Duration cpu = Duration.ofNanos(Math.round(MachineSpeed.probeCpu().toNanos() * TIMER_CONFIGURATION_CPU_IN_PROBES));
        return shared(busy, queued, slots, cpu, Runtime.getRuntime().availableProcessors());
    }

    /**
     * When {@code queued} take the slots as {@link #makespan} has it, but each spends its first
     * {@code cpu} of its time on start-ups that share {@code cores} with the others starting beside it
     * (each at cores / starting, at most 1), and the rest waiting, which takes no core. Without CPU it
     * is the makespan; with nothing but CPU on one core, the sum. {@code busy} ones are past their
     * start-ups: they only wait. Processor sharing is how the kernel's scheduler divides the cores
     * among runnable threads, to a first approximation.
     */
    static Duration shared(List<Duration> busy, List<Duration> queued, int slots, Duration cpu, int cores) {
        double each = cpu.toNanos() / 1e9;
        List<double[]> running = new ArrayList<>(); // {start-up CPU left, wait left}, in seconds
        for (Duration d : busy) {
            running.add(new double[] {0, d.toNanos() / 1e9});
        }
        int next = 0;
        double now = 0;
        // each pass ends at least one start-up or one configuration: at most two per configuration
        for (int pass = 0; pass <= 2 * (busy.size() + queued.size()) + 1; pass++) {
            while (next < queued.size() && running.size() < slots) {
                double d = queued.get(next++).toNanos() / 1e9;
                running.add(new double[] {Math.min(each, d), Math.max(0, d - each)});
            }
            if (running.isEmpty()) {
                break;
            }
            long starting = running.stream().filter(r -> r[0] > 0).count();
            double rate = starting == 0 ? 0 : Math.min(1, (double) cores / starting);
            double step = Double.MAX_VALUE;
            for (double[] r : running) {
                step = Math.min(step, r[0] > 0 ? r[0] / rate : r[1]);
            }
            now += step;
            for (double[] r : running) {
                if (r[0] > 0) {
                    r[0] = r[0] - step * rate < 1e-9 ? 0 : r[0] - step * rate;
                } else {
                    r[1] = Math.max(0, r[1] - step);
                }
            }
            running.removeIf(r -> r[0] == 0 && r[1] < 1e-9);
        }
        return Duration.ofNanos(Math.round(now * 1e9));
    }

    /**
     * When slots already busy for {@code busy} (what their configurations still have to go) take
     * {@code queued} in that order, each on the slot that frees first: the time until the last one ends.
     */
    public static Duration makespan(List<Duration> busy, List<Duration> queued, int slots) {
        PriorityQueue<Duration> free = new PriorityQueue<>();
        for (int i = 0; i < slots; i++) {
            free.add(i < busy.size() ? busy.get(i) : Duration.ZERO);
        }
        // more busy than slots only while a slot's configuration is being written up: it still ends
        for (int i = slots; i < busy.size(); i++) {
            free.add(free.poll().plus(busy.get(i)));
        }
        for (Duration d : queued) {
            free.add(free.poll().plus(d));
        }
        Duration last = Duration.ZERO;
        for (Duration d : free) {
            last = d.compareTo(last) > 0 ? d : last;
        }
        return last;
    }

    static Duration sum(List<Duration> durations) {
        return durations.stream().reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * How many timer-bound configurations this machine holds side by side: {@code wanted}, but no more
     * than its free memory, its descriptor limit and its process limit allow; returns the number and,
     * when one of those cut it, which (for the run's first line).
     */
    public static Slots defaultSlots(int wanted, long availableBytes, long descriptorLimit, long processLimit) {
        int slots = Math.max(1, Math.min(wanted, MAX_SLOTS));
        String why = null;
        if (availableBytes > 0 && availableBytes / BYTES_PER_SLOT < slots) {
            slots = (int) Math.max(1, availableBytes / BYTES_PER_SLOT);
            why = "free memory";
        }
        if (descriptorLimit > 0 && descriptorLimit / DESCRIPTORS_PER_SLOT < slots) {
            slots = (int) Math.max(1, descriptorLimit / DESCRIPTORS_PER_SLOT);
            why = "the open-file limit (ulimit -n)";
        }
        // a configuration starts up to about 60 processes (holders, ip, nft, agents' threads count too)
        if (processLimit > 0 && processLimit / 600 < slots) {
            slots = (int) Math.max(1, processLimit / 600);
            why = "the process limit (ulimit -u)";
        }
        return new Slots(slots, why);
    }

    /** {@link #defaultSlots} with this machine's MemAvailable and this process's soft limits. */
    public static Slots thisMachine(int wanted) {
        return defaultSlots(wanted, kib(Path.of("/proc/meminfo"), "MemAvailable:") * 1024,
                limit("Max open files"), limit("Max processes"));
    }

    private static long kib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // not Linux's usual /proc: no cut for memory
        }
        return 0;
    }

    /** A soft limit from /proc/self/limits, or 0 when unlimited or unreadable. */
    private static long limit(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith(name)) {
                    String soft = line.substring(name.length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? 0 : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // no cut for it
        }
        return 0;
    }

    /** The slots a run uses and, when fewer than asked, what limited them. */
    public record Slots(int count, String limitedBy) {
    }
}
