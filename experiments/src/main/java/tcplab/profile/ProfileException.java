package tcplab.profile;

import java.util.List;
import java.util.stream.Collectors;

/** A profile that must not be applied, with every problem found. */
public final class ProfileException extends Exception {
    private final List<ProfileProblem> problems;

    public ProfileException(List<ProfileProblem> problems) {
        super(problems.stream().map(ProfileProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public ProfileException(ProfileProblem problem) {
        this(List.of(problem));
    }

    public List<ProfileProblem> problems() {
        return problems;
    }
}
