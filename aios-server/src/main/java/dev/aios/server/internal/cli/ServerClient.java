package dev.aios.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/** Calls a running aios server's HTTP API; every failure becomes one line for the operator. */
final class ServerClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final java.util.Optional<String> token;
    private final HttpClient http;

    ServerClient(URI base, java.util.Optional<String> token) {
        this(base, token, java.util.Optional.empty());
    }

    private ServerClient(URI base, java.util.Optional<String> token, java.util.Optional<SSLContext> trusting) {
        this.base = base;
        this.token = token;
        var builder =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1);
        trusting.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** A client for {@code url}, refused unless it is an http(s) URL. */
    static ServerClient forUrl(String url, java.util.Optional<String> token) {
        return forUrl(url, token, java.util.Optional.empty());
    }

    /**
     * A client for {@code url} that, when {@code cacert} is given, trusts the certificates in that PEM
     * file (and no others) for https.
     */
    static ServerClient forUrl(String url, java.util.Optional<String> token, java.util.Optional<Path> cacert) {
        var client = forUrl0(url, token);
        return cacert.isEmpty() ? client : new ServerClient(client.base, token, Optional.of(trusting(cacert.get())));
    }

    /** An SSL context that trusts the certificates of a PEM file. */
    private static SSLContext trusting(Path file) {
        try (var in = Files.newInputStream(file)) {
            var certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
            var trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int n = 0;
            for (var certificate : certificates) {
                trusted.setCertificateEntry("aios-" + n++, certificate);
            }
            var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            var ssl = SSLContext.getInstance("TLS");
            ssl.init(null, trust.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(
                    CliException.USAGE,
                    "--cacert " + file + " (or AIOS_CACERT) must be a readable PEM file of certificates: "
                            + e.getMessage());
        }
    }

    private static ServerClient forUrl0(String url, java.util.Optional<String> token) {
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new CliException(
                    CliException.USAGE, "--server must be a URL like http://localhost:7070, was '" + url + "'");
        }
        return new ServerClient(uri, token);
    }

    /** GETs {@code path} with the query parameters that are present. */
    JsonNode get(String path, Map<String, String> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET());
    }

    /**
     * One page of a list: its items, and the cursor of the next page when the server names one in
     * a {@code Link: <...after=CURSOR>; rel="next"} header.
     */
    record Listing(JsonNode items, java.util.Optional<String> next) {}

    /** GETs one page of the list at {@code path}. */
    Listing list(String path, Map<String, String> query) {
        var response = exchange(HttpRequest.newBuilder(uri(path, query)).GET());
        var next = response.headers()
                .firstValue("Link")
                .filter(link -> link.contains("rel=\"next\""))
                .flatMap(link -> {
                    var matcher = java.util.regex.Pattern.compile("[?&]after=([^&>]+)")
                            .matcher(link);
                    return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
                });
        return new Listing(answer(response), next);
    }

    /** GETs {@code path}. */
    JsonNode get(String path) {
        return get(path, Map.of());
    }

    /** POSTs {@code body} as JSON to {@code path}. */
    JsonNode post(String path, JsonNode body) {
        return post(path, Map.of(), body, TIMEOUT);
    }

    /** POSTs {@code body} as JSON to {@code path} with query parameters, waiting up to {@code timeout}. */
    JsonNode post(String path, Map<String, String> query, JsonNode body, Duration timeout) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request body could not be written", e);
        }
        return send(
                HttpRequest.newBuilder(uri(path, query))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)),
                timeout);
    }

    /** PUTs {@code body} as JSON to {@code path}. */
    JsonNode put(String path, JsonNode body) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request body could not be written", e);
        }
        return send(HttpRequest.newBuilder(uri(path, Map.of()))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** DELETEs {@code path}. */
    JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(uri(path, Map.of())).DELETE());
    }

    /** Encodes one path segment, such as an id. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path, Map<String, String> query) {
        var present = new LinkedHashMap<String, String>();
        query.forEach((name, value) -> {
            if (value != null) {
                present.put(name, value);
            }
        });
        var queryString = present.isEmpty()
                ? ""
                : present.entrySet().stream()
                        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&", "?", ""));
        return URI.create(base + path + queryString);
    }

    private JsonNode send(HttpRequest.Builder request) {
        return send(request, TIMEOUT);
    }

    private JsonNode send(HttpRequest.Builder request, Duration timeout) {
        return answer(exchange(request, timeout));
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        return exchange(request, TIMEOUT);
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request, Duration timeout) {
        try {
            token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
            return http.send(
                    request.timeout(timeout)
                            .header("Accept", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliException(CliException.FAILED, "no aios server at " + base + "; start it with ./aios up");
        } catch (SSLHandshakeException e) {
            throw new CliException(
                    CliException.FAILED,
                    "the aios server at " + base + " presented a certificate this client does not trust ("
                            + e.getMessage() + "); if it is the server's own (self-signed) certificate, pass it with"
                            + " --cacert FILE or set AIOS_CACERT");
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "the aios server at " + base + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.FAILED, "interrupted while waiting for " + base);
        }
    }

    private JsonNode answer(HttpResponse<String> response) {
        var body = parse(response.body());
        if (response.statusCode() == 401 && token.isEmpty()) {
            throw new CliException(
                    CliException.FAILED,
                    "the server at " + base + " needs a token: pass --token or set AIOS_TOKEN (the admin token of a"
                            + " fresh data directory is in its admin.token file; 'aios token create' makes others)");
        }
        if (response.statusCode() >= 400) {
            var detail = body.path("detail").asText("");
            throw new CliException(
                    CliException.FAILED,
                    detail.isBlank() ? "the server answered " + response.statusCode() + ": " + response.body() : detail,
                    response.statusCode());
        }
        return body;
    }

    private JsonNode parse(String body) {
        if (body.isBlank()) {
            return Json.mapper().missingNode();
        }
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            // Not the aios API answering, e.g. a proxy's HTML error page.
            return Json.mapper().getNodeFactory().textNode(body);
        }
    }
}
