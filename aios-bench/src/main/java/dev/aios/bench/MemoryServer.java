package dev.aios.bench;

import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.http.MemoryRoutes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * A real aios server with memory for the memory benchmarks: a started kernel on its own data
 * directory with {@code memory} as its extension, the HTTP API with the memory routes on a free port
 * of the loopback interface, the administrator's token the kernel wrote, and an HTTP/1.1 client to
 * reach it as a script would. Closing it stops the server, then the kernel.
 *
 * @param kernel the started kernel
 * @param server the HTTP API in front of it
 * @param url where the API answers, such as {@code http://127.0.0.1:41234}
 * @param token the administrator's bearer token
 * @param http the client the benchmark sends its requests with
 */
record MemoryServer(Kernel kernel, ApiServer server, String url, String token, HttpClient http)
        implements AutoCloseable {

    /** Starts a kernel on {@code dataDirectory} with {@code memory}, and the API in front of it. */
    static MemoryServer start(Path dataDirectory, MemoryExtension memory) throws IOException {
        var kernel =
                Kernel.builder().dataDirectory(dataDirectory).extension(memory).build();
        try {
            kernel.start();
            // A large index this version cannot read is rebuilt in the background; searches wait for it.
            if (!memory.awaitIndex(java.time.Duration.ofHours(1))) {
                throw new IllegalStateException("the memory index was not rebuilt: " + memory.indexState());
            }
            var server =
                    ApiServer.start(kernel, "127.0.0.1", 0, new MemoryRoutes(kernel, memory, InstantSource.system()));
            var token = Files.readString(dataDirectory.resolve(Kernel.ADMIN_TOKEN_FILE))
                    .strip();
            var http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            return new MemoryServer(kernel, server, "http://127.0.0.1:" + server.port(), token, http);
        } catch (IOException | RuntimeException e) {
            kernel.close();
            throw e;
        }
    }

    /** A request to {@code path} (such as {@code /api/memory}) carrying the administrator's token. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token);
    }

    /** A {@code POST} of {@code json} to {@code path} with the administrator's token. */
    HttpRequest post(String path, String json) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    /** Sends {@code request}, failing the benchmark unless the answer has status {@code expected}. */
    void send(HttpRequest request, int expected) throws IOException, InterruptedException {
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(
                    request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            kernel.close();
        }
    }
}
