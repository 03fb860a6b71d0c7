package dev.aios.server;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.WriteDeadline;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The HTTP API of a running {@link Kernel}: JSON over REST, errors as RFC 9457 problem documents.
 * It listens on the loopback interface unless told otherwise, since the API has no authentication.
 *
 * <pre>{@code
 * try (var server = ApiServer.start(kernel, 0)) {
 *     var url = "http://localhost:" + server.port() + "/api/runs";
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    /** The largest request body accepted; larger ones are answered with 413. */
    public static final long MAX_BODY_BYTES = 1_000_000;

    private final Javalin app;

    private ApiServer(Javalin app) {
        this.app = app;
    }

    /**
     * Serves {@code kernel} on the loopback interface.
     *
     * @param port the port, or 0 for any free one (see {@link #port()})
     * @throws PortInUseException when another process holds the port
     */
    public static ApiServer start(Kernel kernel, int port) {
        return start(kernel, InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    /** More routes served beside the kernel's, such as the model gateway's cost report. */
    @FunctionalInterface
    public interface Routes {
        /** Adds the routes to {@code routes}; errors are answered as for every other route. */
        void addTo(io.javalin.config.RoutesConfig routes);
    }

    /**
     * Routes that serve pages to browsers: their own static assets under {@code /assets/} and
     * {@code /webjars/}, and a page of their own for an unknown path outside {@code /api/}.
     */
    public interface PageRoutes extends Routes {
        /** Answers a request no route matched; false to leave it to the API's problem document. */
        boolean notFound(io.javalin.http.Context ctx);
    }

    /**
     * Serves {@code kernel} on the interface named {@code host}, e.g. {@code 0.0.0.0} for all.
     *
     * @param port the port, or 0 for any free one (see {@link #port()})
     * @param more routes of plugged-in parts, e.g. the cost report of the model gateway
     * @throws PortInUseException when another process holds the port
     */
    public static ApiServer start(Kernel kernel, String host, int port, Routes... more) {
        return start(kernel, host, port, REQUEST_TIMEOUT, more);
    }

    /** How long a request that writes may wait for the database before it is answered 503. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Serves {@code kernel} on the interface named {@code host}, answering 503 to a request that
     * writes and cannot be recorded within {@code requestTimeout} (nothing of it is recorded then).
     *
     * @throws PortInUseException when another process holds the port
     */
    public static ApiServer start(Kernel kernel, String host, int port, Duration requestTimeout, Routes... more) {
        var routes = new ApiRoutes(kernel, InstantSource.system(), MAX_BODY_BYTES);
        var app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(Json.mapper(), true));
            config.routes.before(ctx -> {
                if (writes(ctx.method())) {
                    WriteDeadline.begin(requestTimeout);
                } else {
                    WriteDeadline.end();
                }
            });
            config.routes.after(ctx -> WriteDeadline.end());
            routes.addTo(config.routes);
            new dev.aios.server.internal.http.GraphRoutes(kernel).addTo(config.routes);
            for (var extra : more) {
                extra.addTo(config.routes);
                if (extra instanceof PageRoutes pages) {
                    routes.pagesFor404(pages::notFound);
                    config.staticFiles.enableWebjars();
                    config.staticFiles.add(files -> {
                        files.hostedPath = "/assets";
                        files.directory = "/console";
                        files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                    });
                }
            }
        });
        checkCanListen(host, port);
        try {
            app.start();
        } catch (JavalinBindException e) {
            // Another process took the port between the check and the start.
            throw new PortInUseException(port, e);
        }
        return new ApiServer(app);
    }

    /**
     * Checks that {@code host:port} can be listened on, so that a caller can fail with a one-line
     * reason before it opens anything else (and before Jetty logs its own error).
     *
     * @throws PortInUseException when another process holds the port
     */
    public static void checkCanListen(String host, int port) {
        if (port == 0) {
            return;
        }
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new PortInUseException(port, e);
            }
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + " (" + e.getMessage()
                            + "); pass another --host or --port",
                    e);
        }
    }

    private static boolean writes(HandlerType method) {
        return method == HandlerType.POST
                || method == HandlerType.PUT
                || method == HandlerType.DELETE
                || method == HandlerType.PATCH;
    }

    /** The port the API listens on. */
    public int port() {
        return app.port();
    }

    /** Stops listening; requests in progress finish first. */
    @Override
    public void close() {
        app.stop();
    }
}
