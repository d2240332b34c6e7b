package tcplab.experiment;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The small line protocol the server-side experiments speak (a request line such as {@code HEALTH},
 * an answer line such as {@code OK}), and a client request with a deadline whose outcome says where
 * it got stuck: in the handshake, or connected and waiting for an answer.
 */
public final class LineRequest {
    /** Longest line either side reads. */
    static final int MAX_LINE = 256;

    /** What became of a request. */
    public enum Outcome {
        /** The answer came within the deadline. */
        ANSWERED,
        /** Connected (the kernel completed the handshake) but no answer within the deadline. */
        NO_ANSWER,
        /** The handshake did not complete within the deadline: SYNs dropped or unanswered. */
        CONNECT_TIMEOUT,
        /** The peer answered the SYN with a reset. */
        REFUSED,
        /** The connection was reset or closed before the answer. */
        RESET,
        /** Anything else; the detail says what. */
        ERROR
    }

    /** One request: its outcome, how long the handshake and the whole took (µs), the answer or error, and the local port. */
    public record Result(Outcome outcome, long connectMicros, long totalMicros, String detail, int localPort) {
    }

    private LineRequest() {
    }

    /** Connects, sends {@code line}, waits for one answer line, closes; all within {@code deadline}. */
    public static Result send(InetSocketAddress target, String line, Duration deadline) {
        return send(target, 0, line, deadline);
    }

    /** The same from a chosen local port (0: the kernel picks one). */
    public static Result send(InetSocketAddress target, int localPort, String line, Duration deadline) {
        long start = System.nanoTime();
        long connected = -1;
        int port = localPort;
        try (Socket socket = new Socket()) {
            if (localPort != 0) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(localPort));
            }
            socket.connect(target, (int) Math.max(1, deadline.toMillis()));
            connected = System.nanoTime();
            port = socket.getLocalPort();
            long left = deadline.toMillis() - (connected - start) / 1_000_000;
            socket.setSoTimeout((int) Math.max(1, left));
            write(socket.getOutputStream(), line);
            String answer = readLine(socket.getInputStream());
            return new Result(Outcome.ANSWERED, micros(start, connected), micros(start, System.nanoTime()), answer, port);
        } catch (SocketTimeoutException e) {
            return new Result(connected < 0 ? Outcome.CONNECT_TIMEOUT : Outcome.NO_ANSWER, connected < 0 ? -1 : micros(start, connected),
                    micros(start, System.nanoTime()), e.getMessage(), port);
        } catch (ConnectException e) {
            return new Result(Outcome.REFUSED, -1, micros(start, System.nanoTime()), e.getMessage(), port);
        } catch (EOFException e) {
            return new Result(Outcome.RESET, micros(start, connected), micros(start, System.nanoTime()), "closed before answering", port);
        } catch (IOException e) {
            boolean reset = String.valueOf(e.getMessage()).contains("reset");
            return new Result(reset ? Outcome.RESET : Outcome.ERROR, connected < 0 ? -1 : micros(start, connected),
                    micros(start, System.nanoTime()), e.getMessage(), port);
        }
    }

    /** Writes one line. */
    public static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one line (without its newline); EOFException if the peer closes first. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("the peer closed before a whole line");
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }

    private static long micros(long from, long to) {
        return (to - from) / 1000;
    }
}
