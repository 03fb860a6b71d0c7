package dev.aios.models.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ProviderHttpTest {
    @Test
    void aProviderThatCannotBeReachedIsReportedWithTheCauseNotNull() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closedPort = socket.getLocalPort();
        }
        var client = new ProviderHttp.Builder(java.net.http.HttpClient.newHttpClient()).build();
        var request = HttpRequest.builder()
                .method(HttpMethod.POST)
                .url("http://127.0.0.1:" + closedPort + "/v1/chat/completions")
                .body("{}")
                .build();

        assertThatThrownBy(() -> client.execute(request))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot reach http://127.0.0.1:" + closedPort)
                .hasMessageContaining("ConnectException")
                .hasMessageNotContaining(": null");
    }
}
