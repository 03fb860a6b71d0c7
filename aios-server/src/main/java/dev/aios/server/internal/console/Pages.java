package dev.aios.server.internal.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

/** Renders the console's templates, compiled to Java at build time. */
final class Pages {
    private static final String PACKAGE = "dev.aios.server.internal.console.templates";

    private final TemplateEngine engine =
            TemplateEngine.createPrecompiled(null, ContentType.Html, Pages.class.getClassLoader(), PACKAGE);

    /** Renders {@code template} with its one parameter {@code model} as the answer. */
    void render(Context ctx, String template, Object model) {
        ctx.contentType("text/html; charset=utf-8").result(text(template, model));
    }

    /** Renders {@code template} to text. */
    String text(String template, Object model) {
        var out = new StringOutput();
        engine.render(template, model, out);
        return out.toString();
    }
}
