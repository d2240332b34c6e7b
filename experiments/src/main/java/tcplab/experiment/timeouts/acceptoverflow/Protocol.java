package tcplab.experiment.timeouts.acceptoverflow;

import tcplab.experiment.Message;

/** What the run side and the server agent say to each other (the client's only word is the framework's done). */
enum Protocol implements Message.Kind {
    /** server → run side: it listens with its small backlog. */
    LISTENING,
    /** run side → server: close and end. */
    EXIT
}
