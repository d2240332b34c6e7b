package tcplab.lab;

/** The lab cannot do what was asked; the message says what and the fix says what to do. */
public final class LabException extends Exception {
    private final String fix;

    public LabException(String message, String fix) {
        super(message);
        this.fix = fix;
    }

    public LabException(String message, String fix, Throwable cause) {
        super(message, cause);
        this.fix = fix;
    }

    public String fix() {
        return fix;
    }

    /** One line: the problem, then the fix. */
    public String oneLine() {
        return fix == null || fix.isEmpty() ? getMessage() : getMessage() + " (fix: " + fix + ")";
    }
}
