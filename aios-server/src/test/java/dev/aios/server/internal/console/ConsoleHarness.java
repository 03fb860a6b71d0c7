package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.fail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import dev.aios.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The console of a real kernel (the design-studio demo, no model provider, its emails sent to a real
 * SMTP server) over real HTTP on a free port, and browsers for it: each {@link Browser} keeps its
 * own cookies, as a browser would.
 */
final class ConsoleHarness implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");

    final Kernel kernel;
    final ApiServer server;
    final LocalAccess access;
    final String url;

    final MemoryExtension memory;
    final GreenMail mail;

    private ConsoleHarness(
            Kernel kernel, ApiServer server, LocalAccess access, MemoryExtension memory, GreenMail mail) {
        this.memory = memory;
        this.mail = mail;
        this.kernel = kernel;
        this.server = server;
        this.access = access;
        this.url = "http://localhost:" + server.port();
    }

    /** The demo with a console that signs in with {@code tokens} as well as the operator's own token. */
    static ConsoleHarness start(Path data, Map<String, Access.Grant> tokens) {
        return start(data, tokens, java.util.Optional.empty());
    }

    /** The same, with the central policy and its routes. */
    static ConsoleHarness start(
            Path data, Map<String, Access.Grant> tokens, Optional<dev.aios.policy.PolicyExtension> policy) {
        var local = new LocalAccess(InstantSource.system());
        var models = new ModelsExtension(ModelSettings.none());
        var memory = MemoryExtension.of(MemorySettings.from(Json.mapper()
                .createObjectNode()
                .set("embeddings", Json.mapper().createObjectNode().put("provider", "none"))));
        var live = new LiveFeed();
        var smtp = ServerSetup.SMTP.dynamicPort();
        smtp.setServerStartupTimeout(30_000);
        var mail = new GreenMail(smtp);
        mail.start();
        var email = Json.mapper().createObjectNode();
        email.putObject("email")
                .putObject("smtp")
                .put("host", "127.0.0.1")
                .put("port", mail.getSmtp().getPort())
                .put("security", "none")
                .put("from", "Studio <hello@studio.test>");
        var builder = Kernel.builder()
                .dataDirectory(data)
                .discoverAgents()
                .discoverPlaybooks()
                .extension(models)
                .extension(memory)
                .extension(live)
                // the demo playbook sends its proposal, reminders and check-in with send-email
                .extension(new dev.aios.connectors.ConnectorsExtension(
                        dev.aios.connectors.ConnectorSettings.read(email::get), name -> Optional.empty()))
                .pollInterval(Duration.ofMillis(20));
        policy.ifPresent(builder::extension);
        var kernel = builder.build();
        kernel.start();
        // The given tokens, the data directory's own (as aios up signs in), and the one-time links.
        var kernelTokens = new TokenAccess(kernel.tokens(), local);
        Access access = new Access() {
            @Override
            public Optional<Grant> grant(String token) {
                return Optional.ofNullable(tokens.get(token)).or(() -> kernelTokens.grant(token));
            }

            @Override
            public Optional<String> redeem(String code) {
                return local.redeem(code);
            }
        };
        var routes = new java.util.ArrayList<ApiServer.Routes>();
        routes.add(new dev.aios.server.internal.http.DigestRoutes(
                new dev.aios.server.internal.WeeklyReview(kernel, models, InstantSource.system())));
        policy.ifPresent(p -> routes.add(new dev.aios.server.internal.http.PolicyRoutes(p, kernel)));
        routes.add(new Console(kernel, live, models, memory, access, InstantSource.system()));
        var server = ApiServer.start(kernel, "127.0.0.1", 0, routes.toArray(ApiServer.Routes[]::new));
        return new ConsoleHarness(kernel, server, local, memory, mail);
    }

    /** The admin token the data directory got on its first start. */
    String adminToken() {
        try {
            return java.nio.file.Files.readString(kernel.dataDirectory().resolve(Kernel.ADMIN_TOKEN_FILE))
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the demo's lead about {@code subject}; returns the run it started. */
    String lead(String subject) {
        var answer = new Browser()
                .postWithToken(
                        "/api/events",
                        "application/json",
                        "{\"type\": \"lead.received\", \"subject\": \"" + subject
                                + "\", \"data\": {\"name\": \"Ada Lovelace\","
                                + " \"email\": \"ada@" + subject + ".test\", \"company\": \"" + subject
                                + "\", \"budget\": 4000,"
                                + " \"need\": \"brand refresh\", \"plan\": \"standard\", \"sprint\": \"30s\"}}");
        if (answer.status() != 202) {
            fail("the lead was not accepted: " + answer);
        }
        try {
            return Json.mapper().readTree(answer.body()).path("started").get(0).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The open task of {@code runId}, once its run has one. */
    dev.aios.kernel.TaskView openTaskOf(String runId) {
        return Poll.until(
                        "run " + runId + " to open a task",
                        () -> kernel.tasks(false).stream()
                                .filter(t -> t.runId().equals(runId))
                                .findFirst(),
                        Optional::isPresent,
                        DEADLINE)
                .orElseThrow();
    }

    /** Runs the aios command line against this server; returns what it printed. */
    String cli(String... args) {
        var out = new java.io.StringWriter();
        var commandLine = dev.aios.server.Main.commandLine(Map.of("AIOS_URL", url, "AIOS_TOKEN", adminToken()));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(out, true));
        int exit = commandLine.execute(args);
        if (exit != 0) {
            fail("aios " + String.join(" ", args) + " exited " + exit + ": " + out);
        }
        return out.toString();
    }

    @Override
    public void close() {
        server.close();
        kernel.close();
        mail.stop();
    }

    /** An HTTP answer. */
    record Answer(int status, Map<String, String> headers, String body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        }
    }

    /** A browser: its own cookies, redirects not followed so tests see them. */
    final class Browser {
        private final HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();

        /** Signs in through a one-time link; returns the page it lands on. */
        Browser signedIn() {
            var answer = get("/login?code=" + access.oneTimeCode());
            if (answer.status() != 303) {
                fail("signing in failed: " + answer);
            }
            return this;
        }

        Answer get(String path) {
            return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
        }

        /** Posts to the API as a client would, with the data directory's admin token. */
        Answer postWithToken(String path, String contentType, String body) {
            return send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Content-Type", contentType)
                    .header("Authorization", "Bearer " + adminToken())
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        Answer post(String path, String contentType, String body) {
            return send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        /** Posts a form as the page would: with the session's CSRF token, from this origin. */
        Answer submit(String path, Map<String, String> fields) {
            var all = new LinkedHashMap<String, String>();
            all.put("csrf", csrf());
            all.putAll(fields);
            return send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", url)
                    .POST(HttpRequest.BodyPublishers.ofString(form(all))));
        }

        /** The CSRF token the pages of this session carry. */
        String csrf() {
            var matcher = CSRF.matcher(get("/").body());
            if (!matcher.find()) {
                fail("no CSRF token on the inbox page");
            }
            return matcher.group(1);
        }

        Answer send(HttpRequest.Builder request) {
            try {
                var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                var headers = new java.util.HashMap<String, String>();
                response.headers()
                        .map()
                        .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
                return new Answer(response.statusCode(), headers, response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        HttpClient client() {
            return http;
        }
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
