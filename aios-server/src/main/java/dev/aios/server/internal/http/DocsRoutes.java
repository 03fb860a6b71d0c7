package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.kernel.NotFoundException;
import dev.aios.server.Access;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What describes the API and the files aios reads: {@code GET /openapi.json} (the OpenAPI 3.1
 * document) and {@code GET /schemas/{name}} (the JSON Schemas of playbooks and {@code aios.yaml},
 * for editors).
 */
public final class DocsRoutes {
    /** The JSON Schemas served under {@code /schemas/}. */
    public static final List<String> SCHEMAS = List.of("playbook.json", "aios-config.json");

    private static final String BASE = "/dev/aios/server/";

    /**
     * The OpenAPI document as served, read on the first request for it: parsing its YAML is work
     * {@code /health} need not wait for.
     */
    private volatile byte[] openApi;

    /** The routes; nothing is read until a document is asked for. */
    public DocsRoutes() {}

    private byte[] openApiJson() {
        var served = openApi;
        if (served == null) {
            // Two first requests at once may both read it; both get the same bytes.
            served = json(openApi());
            openApi = served;
        }
        return served;
    }

    /** The OpenAPI document as a tree. */
    public static JsonNode openApi() {
        try (var in = resource("openapi.yaml")) {
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document in the jar cannot be read", e);
        }
    }

    /** One of {@link #SCHEMAS} as a tree. */
    public static JsonNode schema(String name) {
        if (!SCHEMAS.contains(name)) {
            throw new IllegalArgumentException("no schema " + name + "; the schemas are " + SCHEMAS);
        }
        try (var in = resource("schemas/" + name)) {
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the schema " + name + " in the jar cannot be read", e);
        }
    }

    /**
     * Adds the routes to {@code routes}. Both are open: they describe aios and hold nothing of its
     * data, and an editor fetching a schema has no token to send.
     */
    public void addTo(RoutesConfig routes) {
        routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApiJson()), Access.OPEN);
        routes.get(
                "/schemas/{name}",
                ctx -> {
                    var name = ctx.pathParam("name");
                    if (!SCHEMAS.contains(name)) {
                        // A problem document, also where the console answers unknown pages with HTML.
                        throw new NotFoundException(
                                "no schema " + name + "; the schemas are " + String.join(", ", SCHEMAS));
                    }
                    ctx.contentType("application/schema+json").result(json(schema(name)));
                },
                Access.OPEN);
    }

    private static InputStream resource(String name) {
        var in = DocsRoutes.class.getResourceAsStream(BASE + name);
        if (in == null) {
            throw new IllegalStateException(BASE + name + " is missing from the jar; build aios again");
        }
        return in;
    }

    private static byte[] json(JsonNode tree) {
        try {
            return Json.mapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
