package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunTraces;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.server.internal.trace.Tracing;
import dev.aios.testing.Poll;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * Traces: a real run is one trace, its own span at the root, a span per step under it, the model
 * call under its step and the call through the provider's connector under that; the trace id is in
 * the step's log context; nothing is traced until asked, and then spans reach an OTLP collector.
 */
class TracingTest {
    static final String PLAYBOOK = """
            name: notes
            trigger: note.requested
            agents:
              - name: write-note
                kind: prompt
                prompt: "Write a thank-you note to {{input.client}}."
            steps:
              - id: write
                agent: write-note
                input: { client: event.subject }
              - id: file
                agent: file-note
                input: { text: steps.write.text }
            """;

    @TempDir
    Path dir;

    record Note(String text) {}

    record Filed(String traceId) {}

    /** Files a note and answers with the trace id its log lines carry. */
    static final class FileNote implements Agent<Note, Filed> {
        @Override
        public Contract<Note, Filed> contract() {
            return Contract.of("file-note", "1.0.0", Note.class, Filed.class).withDescription("Files a note");
        }

        @Override
        public Filed run(Note input, AgentContext context) {
            return new Filed(String.valueOf(MDC.get("trace_id")));
        }
    }

    private Kernel kernel(Path data, OpenTelemetrySdk otel, ModelsExtension models) throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/notes.yaml"), PLAYBOOK);
        var kernel = Kernel.builder()
                .dataDirectory(data)
                .openTelemetry(otel)
                .extension(models)
                .agent(new FileNote())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        return kernel;
    }

    private static ModelsExtension models(ScriptedModelServer provider) {
        return new ModelsExtension(ModelSettings.none()
                .withProvider(
                        new Provider("openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(5)))
                .withClass("small", new Route("openai", "gpt-4o"))
                .withClass("large", new Route("openai", "gpt-4o")));
    }

    private static String send(Kernel kernel, String subject) {
        return kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "note.requested",
                        subject,
                        "test",
                        Instant.now(),
                        new ObjectMapper().createObjectNode(),
                        "",
                        ""))
                .started()
                .getFirst();
    }

    @Test
    void aRunIsOneTraceOfItsStepsTheirModelCallsAndTheirConnectorCalls() throws Exception {
        var exporter = InMemorySpanExporter.create();
        var otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setIdGenerator(RunTraces.idGenerator())
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .build();
        try (var provider = ScriptedModelServer.start();
                var kernel = kernel(dir.resolve("data"), otel, models(provider))) {
            provider.enqueue(Reply.json("{\"text\": \"Thank you, Acme!\", \"confidence\": 0.9}", 2000, 500));
            var runId = send(kernel, "acme");
            Poll.until(
                    "the run to complete",
                    () -> kernel.run(runId).status(),
                    status -> status == RunStatus.COMPLETED,
                    Duration.ofSeconds(30));
            Poll.until(
                    "the run's own span",
                    exporter::getFinishedSpanItems,
                    spans -> spans.stream().anyMatch(span -> span.getName().equals("run notes")),
                    Duration.ofSeconds(10));
            var run = kernel.run(runId);
            var spans = exporter.getFinishedSpanItems();

            assertThat(spans).extracting(SpanData::getTraceId).containsOnly(RunTraces.traceId(runId));
            var root = one(spans, "run notes");
            assertThat(root.getParentSpanContext().isValid()).isFalse();
            assertThat(root.getSpanId()).isEqualTo(RunTraces.spanId(runId));
            assertThat(root.getStartEpochNanos())
                    .isEqualTo(TimeUnit.MILLISECONDS.toNanos(run.createdAt().toEpochMilli()));
            assertThat(root.getAttributes().get(AttributeKey.stringKey("aios.run.status")))
                    .isEqualTo("completed");
            var write = one(spans, "step write");
            var file = one(spans, "step file");
            assertThat(List.of(write, file))
                    .allSatisfy(step -> assertThat(step.getParentSpanId()).isEqualTo(root.getSpanId()));
            assertThat(write.getAttributes().get(AttributeKey.stringKey("aios.step.outcome")))
                    .isEqualTo("completed");
            var chat = one(spans, "chat gpt-4o");
            assertThat(chat.getParentSpanId()).isEqualTo(write.getSpanId());
            assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(chat.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
                    .isEqualTo("chat");
            assertThat(chat.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
                    .isEqualTo("openai");
            assertThat(chat.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
                    .isEqualTo("gpt-4o");
            assertThat(chat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
                    .isEqualTo(2000);
            assertThat(chat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
                    .isEqualTo(500);
            var call = one(spans, "call openai");
            assertThat(call.getParentSpanId()).isEqualTo(chat.getSpanId());
            assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);

            // The step's log lines carry the trace id; no span carries the subject or the prompt.
            assertThat(run.context().path("file").path("traceId").asText())
                    .as("the trace id in the log context of step file: %s", run.context())
                    .isEqualTo(RunTraces.traceId(runId));
            assertThat(spans)
                    .flatExtracting(span -> span.getAttributes().asMap().values())
                    .allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain("acme", "Acme", "thank-you"));
        } finally {
            otel.close();
        }
    }

    @Test
    void aChildRunIsATraceOfItsOwnLinkedToTheCallItsParentsStepMade() throws Exception {
        var exporter = InMemorySpanExporter.create();
        var otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setIdGenerator(RunTraces.idGenerator())
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .build();
        var playbooks = Files.createDirectories(dir.resolve("calls"));
        Files.writeString(playbooks.resolve("onboard.yaml"), """
                name: onboard
                trigger: note.requested
                steps:
                  - id: welcome
                    call: welcome
                """);
        Files.writeString(playbooks.resolve("welcome.yaml"), """
                name: welcome
                trigger: client.welcomed
                steps:
                  - id: file
                    agent: file-note
                    input: { text: event.subject }
                """);
        try (var kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .openTelemetry(otel)
                .agent(new FileNote())
                .playbookDirectory(playbooks)
                .pollInterval(Duration.ofMillis(20))
                .build()) {
            kernel.start();
            var parentId = send(kernel, "acme");
            Poll.until(
                    "both runs' own spans",
                    exporter::getFinishedSpanItems,
                    spans -> spans.stream().anyMatch(span -> span.getName().equals("run onboard"))
                            && spans.stream().anyMatch(span -> span.getName().equals("run welcome")),
                    Duration.ofSeconds(30));
            var spans = exporter.getFinishedSpanItems();
            var childRun = one(spans, "run welcome");
            var childId = childRun.getAttributes().get(AttributeKey.stringKey("aios.run.id"));

            assertThat(childRun.getTraceId())
                    .isEqualTo(RunTraces.traceId(childId))
                    .isNotEqualTo(RunTraces.traceId(parentId));
            assertThat(childRun.getAttributes().get(AttributeKey.stringKey("aios.parent.run.id")))
                    .isEqualTo(parentId);
            var call = one(spans, "call welcome");
            assertThat(call.getTraceId()).isEqualTo(RunTraces.traceId(parentId));
            assertThat(spans)
                    .as("the call's parent is the step of the parent run that made it")
                    .anySatisfy(step -> {
                        assertThat(step.getName()).isEqualTo("step welcome");
                        assertThat(step.getSpanId()).isEqualTo(call.getParentSpanId());
                    });
            assertThat(childRun.getLinks()).singleElement().satisfies(link -> {
                assertThat(link.getSpanContext().getTraceId()).isEqualTo(call.getTraceId());
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(call.getSpanId());
            });
            assertThat(one(spans, "step file").getParentSpanId()).isEqualTo(childRun.getSpanId());
        } finally {
            otel.close();
        }
    }

    @Test
    void tracingIsOffUntilAskedForAndThenSpansReachAnOtlpCollector() throws Exception {
        var yaml = new YAMLMapper();
        assertThat(Tracing.configure(yaml.createObjectNode(), Map.of(), "test")).isEmpty();
        assertThat(Tracing.configure(
                        yaml.readTree("endpoint: http://127.0.0.1:1"), Map.of("OTEL_SDK_DISABLED", "true"), "test"))
                .isEmpty();
        assertThatThrownBy(() -> Tracing.configure(yaml.readTree("sampleRatio: 2"), Map.of(), "test"))
                .hasMessageContaining("tracing.sampleRatio must be a number from 0 to 1");
        assertThatThrownBy(() -> Tracing.configure(yaml.readTree("endpoit: http://x"), Map.of(), "test"))
                .hasMessageContaining("tracing.endpoit is not a setting");

        var received = new CopyOnWriteArrayList<byte[]>();
        var types = new CopyOnWriteArrayList<String>();
        var collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            types.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String runId;
        try {
            var otel = Tracing.configure(
                            yaml.createObjectNode(),
                            Map.of(
                                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                                    "http://127.0.0.1:" + collector.getAddress().getPort()),
                            "test")
                    .orElseThrow();
            try (var provider = ScriptedModelServer.start()) {
                provider.enqueue(Reply.json("{\"text\": \"Thank you!\", \"confidence\": 0.9}", 20, 5));
                try (var kernel = kernel(dir.resolve("data"), otel, models(provider))) {
                    runId = send(kernel, "acme");
                    Poll.until(
                            "the run to complete",
                            () -> kernel.run(runId).status(),
                            status -> status == RunStatus.COMPLETED,
                            Duration.ofSeconds(30));
                }
            } finally {
                otel.shutdown().join(10, TimeUnit.SECONDS);
            }
        } finally {
            collector.stop(0);
        }
        assertThat(types).isNotEmpty().allMatch(type -> type.startsWith("application/x-protobuf"));
        var all = new java.io.ByteArrayOutputStream();
        received.forEach(all::writeBytes);
        var bytes = all.toByteArray();
        // OTLP's protobuf carries ids as raw bytes and strings as UTF-8.
        assertThat(contains(bytes, HexFormat.of().parseHex(RunTraces.traceId(runId))))
                .isTrue();
        assertThat(contains(bytes, HexFormat.of().parseHex(RunTraces.spanId(runId))))
                .isTrue();
        for (var text : List.of("run notes", "step write", "chat gpt-4o", "call openai", runId, "aios")) {
            assertThat(contains(bytes, text.getBytes(StandardCharsets.UTF_8)))
                    .as("the collector received %s", text)
                    .isTrue();
        }
    }

    @Test
    void aSampleRatioOfNoneTracesNoRunAndNoStep() throws Exception {
        var received = new CopyOnWriteArrayList<byte[]>();
        var collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            var otel = Tracing.configure(
                            new YAMLMapper()
                                    .readTree("endpoint: http://127.0.0.1:"
                                            + collector.getAddress().getPort() + "\nsampleRatio: 0\n"),
                            Map.of(),
                            "test")
                    .orElseThrow();
            try (var provider = ScriptedModelServer.start()) {
                provider.enqueue(Reply.json("{\"text\": \"Thank you!\", \"confidence\": 0.9}", 20, 5));
                try (var kernel = kernel(dir.resolve("data"), otel, models(provider))) {
                    var runId = send(kernel, "acme");
                    Poll.until(
                            "the run to complete",
                            () -> kernel.run(runId).status(),
                            status -> status == RunStatus.COMPLETED,
                            Duration.ofSeconds(30));
                }
            } finally {
                otel.shutdown().join(10, TimeUnit.SECONDS);
            }
        } finally {
            collector.stop(0);
        }
        assertThat(received).as("spans sent although no run is sampled").isEmpty();
    }

    private static SpanData one(List<SpanData> spans, String name) {
        var named = spans.stream().filter(span -> span.getName().equals(name)).toList();
        assertThat(named)
                .as(
                        "spans named %s among %s",
                        name, spans.stream().map(SpanData::getName).toList())
                .hasSize(1);
        return named.getFirst();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
