package tcplab.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import tcplab.lab.LabException;
import tcplab.plan.PlanException;
import tcplab.profile.ProfileException;
import tcplab.profile.ProfileProblem;

/** tcplab's command line. {@code java -jar experiments/target/tcplab.jar --help}; {@code make help} shows the make targets. */
@Command(name = "tcplab",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Measure how TCP connection setup and teardown behave under a sysctl profile,",
                "in throwaway network namespaces, without touching this machine's own settings."},
        subcommands = {RunCommand.class, MatrixCommand.class, CheckProfileCommand.class, ListCommand.class, ReportCommand.class,
                CompareCommand.class, RestoreCommand.class, ServeCommand.class, RemoteCommand.class, CompareNativeCommand.class, LabCommand.class, AgentCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  tcplab run --profile tw-reuse --plan quick",
                "  tcplab check-profile sysctl-profiles/narrow-ports.conf",
                "  tcplab report reports/baseline/latest",
                "  tcplab compare baseline tw-reuse",
                "", "Exit codes: 0 ok, 1 a run or configuration failed, 2 bad input, 3 missing prerequisite, 130 interrupted."})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int MISSING_PREREQUISITE = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Commands that run even while a killed host-mode run's restore file is pending: restore itself, help, and a run's own parts. */
    private static final java.util.Set<String> ALWAYS = java.util.Set.of("restore", "help", "-h", "--help", "-V", "--version", "lab", "agent", "remote");

    public static int execute(String... args) {
        if (args.length > 0 && !ALWAYS.contains(args[0]) && !java.util.List.of(args).contains("--help")) {
            try {
                tcplab.host.HostMode.refuseIfPending();
            } catch (LabException e) {
                System.err.println("tcplab: " + e.oneLine());
                return MISSING_PREREQUISITE;
            }
        }
        CommandLine commandLine = alone(args);
        if (commandLine != null) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        } else {
            commandLine = new CommandLine(new Main());
        }
        commandLine.setParameterExceptionHandler(Main::badArguments);
        commandLine.setExecutionExceptionHandler(Main::failure);
        return commandLine.execute(args);
    }

    /**
     * The commands a run starts a JVM for, several per configuration (its agents and servers), built
     * on their own: picocli reads the annotations of every subcommand it is given. {@code serve --help}
     * took 1.0 core-second with the whole tree and 0.6 alone (2-core 2 GHz Xeon); a timer-bound
     * configuration starts two to four such JVMs, and its CPU fell from 3.0 to 2.3 core-seconds.
     * Null for any other command.
     */
    private static CommandLine alone(String[] args) {
        Object command = args.length == 0 ? null : switch (args[0]) {
            case "agent" -> new AgentCommand();
            case "serve" -> new ServeCommand();
            default -> null;
        };
        if (command == null) {
            return null;
        }
        CommandLine commandLine = new CommandLine(command);
        commandLine.getCommandSpec().name("tcplab " + args[0]); // as its usage and errors name it in the whole tree
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** One line naming what is wrong, and where to read how it is done. */
    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String help = "see `" + command.getCommandSpec().qualifiedName() + " --help`";
        if (e instanceof CommandLine.UnmatchedArgumentException && !((CommandLine.UnmatchedArgumentException) e).getSuggestions().isEmpty()) {
            help = "did you mean " + String.join(" or ", ((CommandLine.UnmatchedArgumentException) e).getSuggestions()) + "? " + help;
        }
        command.getErr().println("tcplab: " + e.getMessage() + " (fix: " + help + ")");
        return BAD_INPUT;
    }

    private static int failure(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (e instanceof ProfileException) {
            for (ProfileProblem problem : ((ProfileException) e).problems()) {
                err.println("tcplab: " + problem);
            }
            return BAD_INPUT;
        }
        if (e instanceof PlanException) {
            err.println("tcplab: " + e.getMessage());
            return BAD_INPUT;
        }
        if (e instanceof IllegalArgumentException) {
            err.println("tcplab: " + e.getMessage());
            return BAD_INPUT;
        }
        if (e instanceof LabException) {
            err.println("tcplab: " + ((LabException) e).oneLine());
            return MISSING_PREREQUISITE;
        }
        err.println("tcplab: internal error: " + e);
        e.printStackTrace(err);
        return FAILED;
    }
}
