package dev.aios.models.internal;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The HTTP client under LangChain4j's provider clients. It does what LangChain4j's JDK client does,
 * and keeps what that one drops: the {@code Retry-After} of a 429 or 503, carried by {@link
 * StatusFailure} through LangChain4j's exception mapping (as the cause of its {@code
 * RateLimitException}).
 */
final class ProviderHttp implements HttpClient {
    private final java.net.http.HttpClient http;
    private final Duration readTimeout;

    private ProviderHttp(java.net.http.HttpClient http, Duration readTimeout) {
        this.http = http;
        this.readTimeout = readTimeout;
    }

    /** A non-2xx answer, with how long the provider asked to wait, if it did. */
    static final class StatusFailure extends HttpException {
        private static final long serialVersionUID = 1L;
        private final transient Optional<Duration> retryAfter;

        StatusFailure(int status, String body, Optional<Duration> retryAfter) {
            super(status, body);
            this.retryAfter = retryAfter;
        }

        Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        var builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(
                request.method().name(),
                request.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(request.body()));
        if (readTimeout != null) {
            builder.timeout(readTimeout);
        }
        try {
            var response = http.send(builder.build(), BodyHandlers.ofByteArray());
            int status = response.statusCode();
            if (status < 200 || status >= 300) {
                throw new StatusFailure(
                        status,
                        new String(response.body(), StandardCharsets.UTF_8),
                        retryAfter(response.headers(), Instant.now()));
            }
            return SuccessfulHttpResponse.builder()
                    .statusCode(status)
                    .headers(response.headers().map())
                    .body(response.body())
                    .build();
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the provider", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot reach " + request.url() + ": " + why(e), e);
        }
    }

    /**
     * What went wrong, in words: the JDK's client often throws with no message of its own (a
     * refused connection is a bare ConnectException), so the causes are named too.
     */
    static String why(Throwable error) {
        var parts = new java.util.ArrayList<String>();
        for (Throwable at = error; at != null && parts.size() < 4; at = at.getCause()) {
            String message = at.getMessage();
            String part = message == null || message.isBlank()
                    ? at.getClass().getSimpleName()
                    : at.getClass().getSimpleName() + ": " + message;
            if (parts.isEmpty() || !parts.getLast().contains(part)) {
                parts.add(part);
            }
            if (at.getCause() == at) {
                break;
            }
        }
        return String.join(", caused by ", parts);
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("the model gateway does not stream");
    }

    /** Retry-After in seconds or as an HTTP date. */
    static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        return headers.firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
            } catch (NumberFormatException notSeconds) {
                try {
                    var at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                            .toInstant();
                    return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
                } catch (DateTimeParseException notDate) {
                    return Optional.empty();
                }
            }
        });
    }

    /** Builds clients sharing one JDK client (and its connections), with the timeouts LangChain4j sets. */
    static final class Builder implements HttpClientBuilder {
        private final java.net.http.HttpClient http;
        private Duration connectTimeout;
        private Duration readTimeout;

        Builder(java.net.http.HttpClient http) {
            this.http = http;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public HttpClient build() {
            // The connect timeout is the shared client's; the read timeout bounds each whole request.
            return new ProviderHttp(http, readTimeout);
        }
    }
}
