package dev.aios.server.internal.console;

import java.util.Optional;

/**
 * What every console page shows around its content: the title (with the open-task count), the
 * navigation, who is signed in, the CSRF token for its forms, a one-time message, and the live
 * topics that refresh it.
 *
 * @param title the page's own title
 * @param nav the navigation entry to mark as current
 * @param openTasks open tasks, for the title's badge and the inbox link
 * @param csrf the session's CSRF token, for forms and htmx requests
 * @param operator the signed-in token's name
 * @param flash a message about the last action, shown once
 * @param live the server-sent event topics this page listens to, comma separated; "" for none
 * @param canOperate whether the token may answer tasks and cancel runs
 * @param canAdmin whether the token may forget subjects
 * @param assets versions of the scripts served from WebJars
 */
public record Frame(
        String title,
        String nav,
        long openTasks,
        String csrf,
        String operator,
        Optional<String> flash,
        String live,
        boolean canOperate,
        boolean canAdmin,
        Assets assets) {

    /** The document title: the open-task count first, so it shows in a narrow browser tab. */
    public String documentTitle() {
        return (openTasks > 0 ? "(" + openTasks + ") " : "") + title + " · aios";
    }

    /** A copy listening to {@code topics}. */
    public Frame listening(String topics) {
        return new Frame(title, nav, openTasks, csrf, operator, flash, topics, canOperate, canAdmin, assets);
    }

    /**
     * Where the page's scripts come from.
     *
     * @param htmx the htmx WebJar's version
     * @param sse the htmx SSE extension WebJar's version
     */
    public record Assets(String htmx, String sse) {
        /** The versions the build packaged, from {@code aios-version.properties}. */
        static Assets packaged() {
            var properties = new java.util.Properties();
            try (var in = Assets.class.getResourceAsStream("/aios-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read aios-version.properties", e);
            }
            return new Assets(properties.getProperty("htmx", ""), properties.getProperty("htmx-ext-sse", ""));
        }
    }
}
