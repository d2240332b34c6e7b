package tcplab.plan;

/** A plan that cannot run; the message names the file, the place and the fix. */
public final class PlanException extends Exception {
    public PlanException(String message) {
        super(message);
    }
}
