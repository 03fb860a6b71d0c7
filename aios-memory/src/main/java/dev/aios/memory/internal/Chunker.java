package dev.aios.memory.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long text into chunks of about {@code target} characters, ending each at the last
 * paragraph break, else sentence end, else space, in its second half; never longer than 1.5 times
 * the target.
 */
final class Chunker {
    private final int target;

    Chunker(int target) {
        this.target = target;
    }

    List<String> split(String text) {
        var chunks = new ArrayList<String>();
        int max = target + target / 2;
        int start = 0;
        String rest = text.strip();
        while (rest.length() - start > max) {
            int end = cut(rest, start, start + target, start + max);
            var chunk = rest.substring(start, end).strip();
            if (!chunk.isEmpty()) {
                chunks.add(chunk);
            }
            start = end;
        }
        var last = rest.substring(start).strip();
        if (!last.isEmpty()) {
            chunks.add(last);
        }
        return chunks;
    }

    /** Where to end a chunk that starts at {@code start}: a boundary between half the target and max. */
    private static int cut(String text, int start, int target, int max) {
        int floor = start + (target - start) / 2;
        for (String boundary : new String[] {"\n\n", ". ", "! ", "? ", "\n", " "}) {
            int at = text.lastIndexOf(boundary, max - boundary.length());
            if (at >= floor) {
                return at + boundary.length();
            }
        }
        // No boundary at all (one long word): cut at max, keeping surrogate pairs whole.
        return Character.isLowSurrogate(text.charAt(max)) ? max - 1 : max;
    }
}
