package tcplab.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import org.junit.jupiter.api.Test;

/** How the strerror text Java carries maps to causes; the lab tests produce the real errors. */
class FailureCauseTest {
    @Test
    void classifiesLinuxErrorsAsJavaReportsThem() {
        assertEquals(FailureCause.ADDRESS_NOT_AVAILABLE, FailureCause.of(new BindException("Cannot assign requested address")));
        assertEquals(FailureCause.REFUSED, FailureCause.of(new ConnectException("Connection refused")));
        assertEquals(FailureCause.TIMED_OUT, FailureCause.of(new ConnectException("Connection timed out")));
        assertEquals(FailureCause.TIMED_OUT, FailureCause.of(new SocketTimeoutException("Connect timed out")));
        assertEquals(FailureCause.TIMED_OUT, FailureCause.of(new ClosedByInterruptException()));
        assertEquals(FailureCause.RESET, FailureCause.of(new SocketException("Connection reset")));
        assertEquals(FailureCause.RESET, FailureCause.of(new IOException("Connection reset by peer")));
        assertEquals(FailureCause.RESET, FailureCause.of(new IOException("Broken pipe")));
        assertEquals(FailureCause.OTHER, FailureCause.of(new NoRouteToHostException("No route to host")));
        assertEquals(FailureCause.OTHER, FailureCause.of(new IOException((String) null)));
    }

    @Test
    void lingerFollowsTheCloseMode() {
        assertEquals(0, CloseMode.CLIENT_RST.lingerSeconds(5));
        assertEquals(5, CloseMode.CLIENT_LINGER.lingerSeconds(5));
        assertEquals(-1, CloseMode.CLIENT_FIN.lingerSeconds(5));
        assertEquals(-1, CloseMode.SERVER_FIN.lingerSeconds(5));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> CloseMode.CLIENT_LINGER.lingerSeconds(0));
    }
}
