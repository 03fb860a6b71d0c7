package dev.aios.server;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.WriteDeadline;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.http.AccessRoutes;
import dev.aios.server.internal.http.ApiRoutes;
import dev.aios.server.internal.http.DocsRoutes;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP API of a running {@link Kernel}: JSON over REST, errors as RFC 9457 problem documents.
 * Every route but {@code GET /health} needs a token (see {@link Access}); it listens on the
 * loopback interface unless told otherwise.
 *
 * <pre>{@code
 * try (var server = ApiServer.builder(kernel).port(0).start()) {
 *     var url = "http://localhost:" + server.port() + "/api/runs";
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    /** The largest request body accepted; larger ones are answered with 413. */
    public static final long MAX_BODY_BYTES = 1_000_000;

    /** How long a request that writes may wait for the database before it is answered 503. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Javalin app;

    private ApiServer(Javalin app) {
        this.app = app;
    }

    /** More routes served beside the kernel's, such as the model gateway's cost report. */
    @FunctionalInterface
    public interface Routes {
        /**
         * Adds the routes to {@code routes}; errors are answered as for every other route. Each route
         * declares what it needs with {@link Access#scope} or {@link Access#OPEN}; one that declares
         * nothing is closed.
         */
        void addTo(io.javalin.config.RoutesConfig routes);

        /**
         * Adds what the part behind these routes reports to the {@code GET /health} answer, under a
         * field of its own (e.g. memory's index being rebuilt); nothing unless overridden. Called on
         * every health check: it must be quick and must not fail.
         */
        default void describeHealth(com.fasterxml.jackson.databind.node.ObjectNode health) {}
    }

    /**
     * Routes that serve pages to browsers: their own static assets under {@code /assets/} and
     * {@code /webjars/}, and a page of their own for an unknown path outside {@code /api/}.
     */
    public interface PageRoutes extends Routes {
        /** Answers a request no route matched; false to leave it to the API's problem document. */
        boolean notFound(io.javalin.http.Context ctx);
    }

    /** A builder for a server of {@code kernel}. */
    public static Builder builder(Kernel kernel) {
        return new Builder(kernel);
    }

    /**
     * Serves {@code kernel} on the loopback interface.
     *
     * @param port the port, or 0 for any free one (see {@link #port()})
     * @throws PortInUseException when another process holds the port
     */
    public static ApiServer start(Kernel kernel, int port) {
        return builder(kernel).port(port).start();
    }

    /**
     * Serves {@code kernel} on the interface named {@code host}, e.g. {@code 0.0.0.0} for all.
     *
     * @param port the port, or 0 for any free one (see {@link #port()})
     * @param more routes of plugged-in parts, e.g. the cost report of the model gateway
     * @throws PortInUseException when another process holds the port
     */
    public static ApiServer start(Kernel kernel, String host, int port, Routes... more) {
        return builder(kernel).host(host).port(port).routes(more).start();
    }

    /** How a server is set up; every setting has a default. */
    public static final class Builder {
        private final Kernel kernel;
        private String host = InetAddress.getLoopbackAddress().getHostAddress();
        private int port;
        private final List<Routes> routes = new ArrayList<>();
        private Duration requestTimeout = REQUEST_TIMEOUT;
        private List<String> hosts = List.of();
        private java.util.Optional<Tls> tls = java.util.Optional.empty();
        private boolean behindProxy;

        private Builder(Kernel kernel) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
        }

        /** The interface to listen on; loopback by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port, or 0 for any free one (the default; see {@link ApiServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Routes of plugged-in parts, e.g. the cost report of the model gateway. */
        public Builder routes(Routes... more) {
            routes.addAll(List.of(more));
            return this;
        }

        /** How long a request that writes may wait for the database; {@link #REQUEST_TIMEOUT} by default. */
        public Builder requestTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the request timeout must be positive, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Host names the server is reached under besides the loopback names and the address it
         * listens on, e.g. the public name a reverse proxy passes on.
         */
        public Builder hosts(List<String> names) {
            this.hosts = List.copyOf(names);
            return this;
        }

        /** Serves HTTPS only, with this certificate and key. */
        public Builder tls(Tls tls) {
            this.tls = java.util.Optional.of(tls);
            return this;
        }

        /**
         * Allows plain HTTP on an interface other than loopback, because a reverse proxy in front
         * terminates TLS (and browsers reach aios over HTTPS, so its cookies are marked {@code
         * Secure}).
         */
        public Builder insecureBehindProxy(boolean behindProxy) {
            this.behindProxy = behindProxy;
            return this;
        }

        /** An HTTPS connector on {@link #host}:{@link #port}, serving the key in {@code store}. */
        private org.eclipse.jetty.server.Connector https(
                org.eclipse.jetty.server.Server server,
                org.eclipse.jetty.server.HttpConfiguration http,
                java.security.KeyStore store) {
            var ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
            ssl.setKeyStore(store);
            ssl.setKeyStorePassword(new String(KEY_STORE_PASSWORD));
            var secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
            // Which names are served is Access's decision, made the same way with and without TLS.
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            var connector = new org.eclipse.jetty.server.ServerConnector(
                    server,
                    new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
                    new org.eclipse.jetty.server.HttpConnectionFactory(http));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        }

        /**
         * Starts listening.
         *
         * @throws PortInUseException when another process holds the port
         * @throws IllegalArgumentException when asked to listen on an interface other than loopback
         *     in plain HTTP without {@link #insecureBehindProxy}, or when the TLS files cannot be used
         */
        public ApiServer start() {
            if (tls.isEmpty() && !behindProxy && !isLoopback(host)) {
                throw new IllegalArgumentException("aios will not listen on " + host + " in plain HTTP: tokens would"
                        + " cross the network in clear. Configure TLS (server.tls.cert and server.tls.key, PEM files,"
                        + " in aios.yaml), or pass --insecure-behind-proxy when a reverse proxy in front of it"
                        + " terminates TLS, or listen on loopback only (the default)");
            }
            var served = new ArrayList<>(hosts);
            if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
                served.add(host);
            }
            var access = new Access(kernel.tokens(), served, tls.isPresent() || behindProxy);
            var keyStore = tls.map(pair -> pair.keyStore(KEY_STORE_PASSWORD));
            var core = new ApiRoutes(kernel, InstantSource.system(), MAX_BODY_BYTES);
            var tokens = new AccessRoutes(kernel, InstantSource.system());
            var timeout = requestTimeout;
            var app = Javalin.create(config -> {
                config.jetty.host = host;
                config.jetty.port = port;
                keyStore.ifPresent(store -> config.jetty.addConnector((server, http) -> https(server, http, store)));
                config.http.maxRequestSize = MAX_BODY_BYTES;
                settings(config);
                config.routes.before(ctx -> {
                    if (writes(ctx.method())) {
                        WriteDeadline.begin(timeout);
                    } else {
                        WriteDeadline.end();
                    }
                });
                config.routes.after(ctx -> WriteDeadline.end());
                access.install(config.routes);
                core.addTo(config.routes);
                core.healthFrom(routes);
                new dev.aios.server.internal.http.GraphRoutes(kernel).addTo(config.routes);
                tokens.addTo(config.routes);
                new DocsRoutes().addTo(config.routes);
                for (var extra : routes) {
                    extra.addTo(config.routes);
                    if (extra instanceof PageRoutes pages) {
                        core.pagesFor404(pages::notFound);
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
    }

    /**
     * Loads and initializes, on a daemon thread of its own, the classes that {@link Builder#start}
     * needs whatever the kernel (the web server's, the webjars', the JSON mapper's), so that a caller
     * that builds its kernel first finds them ready on a second core. Nothing is opened or served.
     */
    public static void prepareBeside() {
        Thread.ofPlatform().name("aios-web-classes").daemon().start(() -> {
            try {
                Javalin.create(config -> {
                    settings(config);
                    config.staticFiles.enableWebjars();
                });
            } catch (RuntimeException e) {
                // only a head start: the server's own start meets the same problem and reports it
            }
        });
    }

    /** What every Javalin of the server is set up with, whatever it serves. */
    private static void settings(io.javalin.config.JavalinConfig config) {
        config.concurrency.useVirtualThreads = true;
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jsonMapper(new JavalinJackson(Json.mapper(), true));
    }

    /** Protects the in-memory key store only; the key itself comes from the PEM file. */
    private static final char[] KEY_STORE_PASSWORD = "aios".toCharArray();

    /** Whether {@code host} names the loopback interface only. */
    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("cannot listen on '" + host + "': no such host or address", e);
        }
    }

    private static boolean writes(HandlerType method) {
        return method.equals(HandlerType.POST)
                || method.equals(HandlerType.PUT)
                || method.equals(HandlerType.DELETE)
                || method.equals(HandlerType.PATCH);
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

    /**
     * A registered route and what calling it takes.
     *
     * @param method e.g. {@code GET}
     * @param path e.g. {@code /api/runs/{id}}
     * @param access {@code open} (anyone), a scope's name ({@code read}, {@code ingest}, {@code
     *     operate}, {@code admin}), or {@code closed} when the route declares nothing
     */
    public record Route(String method, String path, String access) {}

    private static final java.util.Set<HandlerType> HTTP_METHODS = java.util.Set.of(
            HandlerType.GET,
            HandlerType.POST,
            HandlerType.PUT,
            HandlerType.PATCH,
            HandlerType.DELETE,
            HandlerType.HEAD,
            HandlerType.OPTIONS);

    /** Every registered route, in the order registered. */
    public List<Route> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> HTTP_METHODS.contains(endpoint.method))
                .map(endpoint -> {
                    var roles = endpoint.metadata(io.javalin.security.Roles.class);
                    return new Route(
                            endpoint.method.name(),
                            endpoint.path,
                            Access.describe(roles == null ? java.util.Set.of() : roles.getRoles()));
                })
                .toList();
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
