package tcplab.experiment.timewait.timewaitlifetime;

import tcplab.experiment.Message;

/** What the client agent tells the run side. */
enum Protocol implements Message.Kind {
    /** client → run side: every connection is closed and raw/ID.closed.csv written: the watch can start. */
    CLOSED
}
