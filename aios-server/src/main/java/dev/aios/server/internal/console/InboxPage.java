package dev.aios.server.internal.console;

import java.util.List;
import java.util.Optional;

/**
 * The inbox: open tasks grouped by kind.
 *
 * @param frame the page's frame
 * @param groups one group per kind with open tasks, most pressing kind first
 * @param kind the kind the page is narrowed to, if any
 * @param next the cursor of the next page, when narrowed to a kind with more tasks
 */
public record InboxPage(Frame frame, List<Group> groups, Optional<String> kind, Optional<String> next) {

    /** The page's own address, which live updates fetch again. */
    public String self() {
        return kind.map(k -> "/?kind=" + java.net.URLEncoder.encode(k, java.nio.charset.StandardCharsets.UTF_8))
                .orElse("/");
    }

    /**
     * The open tasks of one kind.
     *
     * @param kind the kind, e.g. {@code review}
     * @param label the kind in words
     * @param hint what the operator does with such tasks
     * @param count how many are open
     * @param tasks the newest of them
     */
    public record Group(String kind, String label, String hint, long count, List<TaskCard> tasks) {
        /** Whether more are open than shown. */
        public boolean more() {
            return count > tasks.size();
        }
    }
}
