package tcplab.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.util.ArrayList;
import java.util.List;
import tcplab.results.Packets;

/**
 * A ladder (sequence) diagram drawn from a capture, as textbooks draw TCP: the client's column on
 * the left, the server's on the right, one arrow per segment the kernel sent, with its flags,
 * relative seq/ack and its time since the first segment, time running down the page. Rows are
 * evenly spaced; a gap longer than {@link #GAP} seconds is drawn as a break with its length, so
 * a SYN retried after 1, 3 and 7 s still fits while every time written is the real one. Socket
 * states are written beside a column only where the experiment sampled them. Several panels (one
 * per connection) sit side by side; a panel without a capture says why instead of drawing an
 * empty ladder.
 */
public final class Ladder implements Figures.Drawing {
    /** Seconds between two segments beyond which the ladder breaks its time axis. */
    static final double GAP = 0.2;
    private static final int PANEL_WIDTH = 480;
    /** Panels side by side at most: more go on the next row, so a pasted figure keeps readable text in a page's column. */
    private static final int COLUMNS = 2;
    private static final int TIME_X = 4;
    private static final int CLIENT_X = 160;
    private static final int SERVER_X = 390;
    private static final int HEAD = 62;
    private static final int ROW = 34;
    private static final int BREAK = 40;
    private static final int SLANT = 12;
    private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color CLIENT_COLOUR = Plots.PALETTE[0];
    private static final Color SERVER_COLOUR = Plots.PALETTE[5];

    /**
     * A socket state written beside one column: after the segment at index {@code afterPacket} of its
     * panel (-1: before the first, {@link Integer#MAX_VALUE}: after the last).
     */
    public record State(int afterPacket, boolean client, String text) {
        public static State before(boolean client, String text) {
            return new State(-1, client, text);
        }

        public static State after(boolean client, String text) {
            return new State(Integer.MAX_VALUE, client, text);
        }
    }

    /**
     * Something a side did that is not a segment, at its time since the first segment (e.g. "connect()
     * returns ETIMEDOUT", from the experiment's raw rows): drawn as a dot on its column, in time order.
     */
    public record Event(double seconds, boolean client, String text) {
    }

    /** One connection's ladder: a heading, the connection as read from its capture, the states sampled, and a note under it ("" for none). */
    public record Panel(String heading, Packets.Connection connection, List<State> states, String note,
                        java.util.function.Predicate<Packets.Packet> lost, List<Event> events,
                        java.util.function.Function<Packets.Packet, String> remark) {
        public Panel(String heading, Packets.Connection connection, List<State> states) {
            this(heading, connection, states, "");
        }

        public Panel(String heading, Packets.Connection connection, List<State> states, String note) {
            this(heading, connection, states, note, p -> false, List.of(), p -> "");
        }

        /** The same with these moments drawn on the time axis among the segments. */
        public Panel events(List<Event> which) {
            return new Panel(heading, connection, states, note, lost, List.copyOf(which), remark);
        }

        /**
         * The same with the segments {@code lost} selects drawn as lost on their way (an × short of the
         * receiver's column): what the experiment's own drop rule did to them, as its raw files say.
         */
        public Panel lost(java.util.function.Predicate<Packets.Packet> which) {
            return new Panel(heading, connection, states, note, which, events, remark);
        }

        /** The same with a second line under each segment's time ("" for none), e.g. its time since another segment. */
        public Panel remarks(java.util.function.Function<Packets.Packet, String> which) {
            return new Panel(heading, connection, states, note, lost, events, which);
        }

        List<String> noteLines() {
            return note.isEmpty() ? List.of() : Frame.wrap(note, TEXT, PANEL_WIDTH - 24);
        }
    }

    private final String title;
    private final List<Panel> panels;
    private final List<String> noteLines;

    /** {@code note}: what the times and states are, written under the panels. */
    public Ladder(String title, List<Panel> panels, String note) {
        this.title = title;
        this.panels = List.copyOf(panels);
        this.noteLines = Frame.wrap(note, TEXT, width() - 8);
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public int width() {
        return PANEL_WIDTH * Math.max(1, Math.min(COLUMNS, panels.size()));
    }

    @Override
    public int height() {
        return rowTop(rows()) + 12 + noteLines.size() * 14 + 4;
    }

    private int rows() {
        return (panels.size() + COLUMNS - 1) / COLUMNS;
    }

    /** Where row {@code row} of panels starts: below the tallest panel of each row above it. */
    private int rowTop(int row) {
        int top = 0;
        for (int r = 0; r < row; r++) {
            int tallest = 0;
            for (Panel p : panels.subList(r * COLUMNS, Math.min(panels.size(), (r + 1) * COLUMNS))) {
                tallest = Math.max(tallest, layout(p).bottom + p.noteLines().size() * 14);
            }
            top += tallest + (r + 1 < row ? 16 : 0);
        }
        return top;
    }

    /** The arrows drawn: one per captured segment, for tests. */
    public int arrows() {
        return panels.stream().mapToInt(p -> p.connection().packets().size()).sum();
    }

    /** Where each segment's arrow starts, where each event goes, where each break goes, and where the panel ends. */
    private record Layout(int[] y, int[] eventY, List<int[]> breaks, List<String> gaps, int bottom) {
    }

    private static Layout layout(Panel p) {
        List<Packets.Packet> packets = p.connection().packets();
        if (!p.connection().captured() || packets.isEmpty()) {
            return new Layout(new int[0], new int[0], List.of(), List.of(), HEAD + 110);
        }
        // segments and events in time order; an event sorts after a segment of the same time
        int n = packets.size() + p.events().size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble((Integer i) -> time(p, i)).thenComparingInt(i -> i));
        int[] y = new int[packets.size()];
        int[] eventY = new int[p.events().size()];
        List<int[]> breaks = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        int at = HEAD + 34; // room for the states before the first segment
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                at += ROW;
                double gap = time(p, order[k]) - time(p, order[k - 1]);
                if (gap > GAP) {
                    breaks.add(new int[] {at});
                    gaps.add(Packets.time(gap));
                    at += BREAK;
                }
            }
            if (order[k] < packets.size()) {
                y[order[k]] = at;
            } else {
                eventY[order[k] - packets.size()] = at;
            }
        }
        return new Layout(y, eventY, breaks, gaps, at + SLANT + 44);
    }

    /** The time of item {@code i}: a segment, or past the segments an event. */
    private static double time(Panel p, int i) {
        int packets = p.connection().packets().size();
        return i < packets ? p.connection().packets().get(i).seconds() : p.events().get(i - packets).seconds();
    }

    @Override
    public void paint(Graphics2D g) {
        for (int i = 0; i < panels.size(); i++) {
            int top = rowTop(i / COLUMNS);
            Graphics2D panel = (Graphics2D) g.create(i % COLUMNS * PANEL_WIDTH, top, PANEL_WIDTH, height() - top);
            paint(panel, panels.get(i));
            panel.dispose();
        }
        g.setFont(TEXT);
        g.setColor(Color.DARK_GRAY);
        int y = height() - noteLines.size() * 14;
        for (String line : noteLines) {
            g.drawString(line, 4, y);
            y += 14;
        }
    }

    private static void paint(Graphics2D g, Panel p) {
        Packets.Connection c = p.connection();
        g.setFont(HEADING);
        g.setColor(Color.BLACK);
        centre(g, p.heading(), (CLIENT_X + SERVER_X) / 2, 16);
        g.setFont(TEXT);
        centre(g, "client", CLIENT_X, 34);
        centre(g, "server", SERVER_X, 34);
        if (c.captured()) {
            centre(g, c.client(), CLIENT_X, 48);
            centre(g, c.server(), SERVER_X, 48);
        }
        Layout l = layout(p);
        if (!c.captured() || c.packets().isEmpty()) {
            g.setColor(new Color(245, 245, 245));
            g.fillRect(CLIENT_X - 60, HEAD + 10, SERVER_X - CLIENT_X + 120, 80);
            g.setColor(Color.DARK_GRAY);
            String why = c.captured() ? "no capture: no segment captured" : c.problem();
            int y = HEAD + 34;
            for (String line : Frame.wrap(why, TEXT, SERVER_X - CLIENT_X + 100)) {
                centre(g, line, (CLIENT_X + SERVER_X) / 2, y);
                y += 15;
            }
            return;
        }
        // the two columns, broken where time is
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1.5f));
        int top = HEAD;
        for (int i = 0; i < l.breaks().size(); i++) {
            int b = l.breaks().get(i)[0];
            for (int x : new int[] {CLIENT_X, SERVER_X}) {
                g.drawLine(x, top, x, b + 4);
                zigzag(g, x, b + 4, b + BREAK - 4);
            }
            top = b + BREAK - 4;
            g.setColor(Color.DARK_GRAY);
            centre(g, "… " + l.gaps().get(i) + " later …", (CLIENT_X + SERVER_X) / 2, b + BREAK / 2 + 4);
            g.setColor(Color.GRAY);
        }
        for (int x : new int[] {CLIENT_X, SERVER_X}) {
            g.drawLine(x, top, x, l.bottom() - 20);
        }
        for (int i = 0; i < c.packets().size(); i++) {
            arrow(g, c.packets().get(i), l.y()[i], p.lost().test(c.packets().get(i)));
            String remark = p.remark().apply(c.packets().get(i));
            if (!remark.isEmpty()) {
                g.setFont(TEXT);
                g.setColor(Color.DARK_GRAY);
                g.drawString(remark, TIME_X, l.y()[i] + 17);
            }
        }
        for (int i = 0; i < p.events().size(); i++) {
            event(g, p.events().get(i), l.eventY()[i]);
        }
        g.setColor(Color.BLACK);
        int noteY = l.bottom() + 4;
        for (String line : p.noteLines()) {
            g.drawString(line, TIME_X + 8, noteY);
            noteY += 14;
        }
        for (State s : p.states()) {
            int y = s.afterPacket() < 0 ? HEAD + 18
                    : s.afterPacket() >= l.y().length ? l.y()[l.y().length - 1] + SLANT + 26 : l.y()[s.afterPacket()] + SLANT + 13;
            state(g, s, y);
        }
    }

    private static void arrow(Graphics2D g, Packets.Packet p, int y, boolean lost) {
        int from = p.fromClient() ? CLIENT_X : SERVER_X;
        int to = p.fromClient() ? SERVER_X : CLIENT_X;
        if (lost) {
            arrowLost(g, p, y, from, to);
            return;
        }
        Color colour = p.flags().contains(Packets.Flag.RST) ? Plots.MODEL.darker() : p.fromClient() ? CLIENT_COLOUR : SERVER_COLOUR;
        g.setColor(colour);
        g.setStroke(new BasicStroke(p.flags().contains(Packets.Flag.RST) ? 2.2f : 1.4f));
        int dir = Integer.signum(to - from);
        g.drawLine(from, y, to - dir * 8, y + SLANT);
        double angle = Math.atan2(SLANT, to - from);
        Polygon head = new Polygon();
        head.addPoint(to, y + SLANT);
        head.addPoint((int) Math.round(to - 10 * Math.cos(angle - 0.35)), (int) Math.round(y + SLANT - 10 * Math.sin(angle - 0.35)));
        head.addPoint((int) Math.round(to - 10 * Math.cos(angle + 0.35)), (int) Math.round(y + SLANT - 10 * Math.sin(angle + 0.35)));
        g.fillPolygon(head);
        g.setFont(TEXT);
        centre(g, p.label(), (CLIENT_X + SERVER_X) / 2, y + SLANT / 2 - 4);
        g.setColor(Color.DARK_GRAY);
        g.drawString(Packets.time(p.seconds()), TIME_X, y + 4);
    }

    /** An event: a dot on its side's column, its words beside it towards the other column, its time on the left. */
    private static void event(Graphics2D g, Event e, int y) {
        int x = e.client() ? CLIENT_X : SERVER_X;
        g.setColor(Color.BLACK);
        g.fillOval(x - 4, y + SLANT / 2 - 4, 8, 8);
        g.setFont(TEXT);
        int w = g.getFontMetrics().stringWidth(e.text());
        g.drawString(e.text(), e.client() ? x + 10 : x - 10 - w, y + SLANT / 2 + 4);
        g.setColor(Color.DARK_GRAY);
        g.drawString(Packets.time(e.seconds()), TIME_X, y + 4);
    }

    /** A segment that never reached the other side: a dashed line ending in an × before its column. */
    private static void arrowLost(Graphics2D g, Packets.Packet p, int y, int from, int to) {
        Color colour = p.fromClient() ? CLIENT_COLOUR : SERVER_COLOUR;
        int end = from + (to - from) * 4 / 5;
        int endY = y + SLANT * 4 / 5;
        g.setColor(colour);
        g.setStroke(new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
        g.drawLine(from, y, end, endY);
        g.setStroke(new BasicStroke(2f));
        g.drawLine(end - 5, endY - 5, end + 5, endY + 5);
        g.drawLine(end - 5, endY + 5, end + 5, endY - 5);
        g.setFont(TEXT);
        centre(g, p.label() + " (dropped)", (CLIENT_X + SERVER_X) / 2, y + SLANT / 2 - 4);
        g.setColor(Color.DARK_GRAY);
        g.drawString(Packets.time(p.seconds()), TIME_X, y + 4);
    }

    /** A state beside its column: left of the client's, right of the server's. */
    private static void state(Graphics2D g, State s, int y) {
        g.setFont(TEXT);
        FontMetrics m = g.getFontMetrics();
        int w = m.stringWidth(s.text());
        int x = s.client() ? CLIENT_X - 8 - w : SERVER_X + 8;
        g.setColor(new Color(235, 240, 250));
        g.fillRoundRect(x - 3, y - 11, w + 6, 15, 6, 6);
        g.setColor(Color.BLACK);
        g.drawString(s.text(), x, y);
    }

    private static void zigzag(Graphics2D g, int x, int y0, int y1) {
        int step = (y1 - y0) / 4;
        for (int i = 0; i < 4; i++) {
            g.drawLine(x + (i % 2 == 0 ? -4 : 4), y0 + i * step, x + (i % 2 == 0 ? 4 : -4), y0 + (i + 1) * step);
        }
    }

    private static void centre(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }
}
