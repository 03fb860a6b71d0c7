package dev.aios.memory.internal;

import java.util.regex.Pattern;

/**
 * An item's title: the first line of its text when that line is short and more text follows, as an
 * email's subject line, a note's heading or a document's title usually is. Markdown heading marks and
 * a {@code Subject:} or {@code Title:} label are left out.
 */
final class Titles {
    /** The longest first line taken as a title. */
    static final int MAX = 200;

    private static final Pattern LABEL = Pattern.compile("^(?i)(#+\\s*|subject:\\s*|title:\\s*)");

    private Titles() {}

    /** The title of a text (its first chunk is enough), or "" when it has none. */
    static String of(String text) {
        int newline = text.indexOf('\n');
        if (newline <= 0 || newline > MAX || text.substring(newline).isBlank()) {
            return "";
        }
        return LABEL.matcher(text.substring(0, newline).strip())
                .replaceFirst("")
                .strip();
    }
}
