package dev.vcnn.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's width in columns, so a progress bar fills one line and never wraps. Asked of
 * {@code COLUMNS}, then of {@code stty size} on the controlling terminal; 80 when neither answers.
 * (progressbar would ask jline, whose native loader makes the JDK warn about restricted methods.)
 */
final class TerminalWidth {
    static final int FALLBACK = 80;
    private static final File TTY = new File("/dev/tty");

    private TerminalWidth() {
    }

    static int columns() {
        Integer fromEnvironment = positive(System.getenv("COLUMNS"));
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        Integer fromStty = stty();
        return fromStty != null ? fromStty : FALLBACK;
    }

    // "stty size" prints "rows columns" for the terminal on its standard input
    private static Integer stty() {
        if (!TTY.exists()) {
            return null;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(TTY)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!stty.waitFor(1, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                stty.destroy();
                return null;
            }
            String[] sizes = answer.split("\\s+");
            return sizes.length == 2 ? positive(sizes[1]) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Integer positive(String text) {
        if (text == null) {
            return null;
        }
        try {
            int value = Integer.parseInt(text.strip());
            return value > 0 ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
