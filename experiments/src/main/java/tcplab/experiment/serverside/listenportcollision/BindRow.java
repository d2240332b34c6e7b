package tcplab.experiment.serverside.listenportcollision;

import tcplab.experiment.RawTable;

/**
 * {@code raw/ID.binds.csv}: one server's try at one port in one trial, with the connections held
 * then, whether one of them held that port, and bind()'s error when it failed.
 */
record BindRow(int trial, int connections, @RawTable.Column("case") Case portCase, int port, boolean held, Outcome outcome,
               String error) {
    static final RawTable<BindRow> TABLE = RawTable.of("binds", BindRow.class);

    /** The four ports a server tries. */
    enum Case {
        FIRST_PARITY("inside the range, parity tried first"),
        OTHER_PARITY("inside the range, other parity"),
        BELOW_RANGE("below the range"),
        RESERVED("inside, in ip_local_reserved_ports");

        final String text;

        Case(String text) {
            this.text = text;
        }
    }

    enum Outcome {
        LISTENING, FAILED
    }

    boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
