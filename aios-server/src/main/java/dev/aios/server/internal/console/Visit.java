package dev.aios.server.internal.console;

/**
 * A signed-in request: its session and what the session's token may do.
 *
 * @param session the browser's session
 * @param grant the token's name and scopes, checked for this request
 */
record Visit(dev.aios.server.internal.http.BrowserSessions.Session session, Access.Grant grant) {

    /** The frame of a page titled {@code title}, under navigation entry {@code nav}. */
    Frame frame(String title, String nav, long openTasks, Frame.Assets assets) {
        return new Frame(
                title,
                nav,
                openTasks,
                session.csrf(),
                grant.name(),
                session.takeFlash(),
                "",
                grant.allows(Access.Scope.OPERATE),
                grant.allows(Access.Scope.ADMIN),
                assets);
    }

    /** Sets the message the next page shows once. */
    void flash(String message) {
        session.flash(message);
    }
}
