package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.ModelTool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One call to a provider through LangChain4j, from and to the JSON the receipts record.
 *
 * <p>A conversation is an array of messages: {@code {"role": "system"|"user", "text"}}, {@code
 * {"role": "assistant", "text", "toolCalls": [{"id", "name", "arguments"}]}} and {@code {"role":
 * "tool", "id", "name", "text"}}. A completion is {@code {"text", "toolCalls", "inputTokens",
 * "outputTokens"}}.
 */
final class ChatCall {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Waiting this long for a provider that asked to be left alone happens in place. */
    static final Duration WAIT_IN_PLACE = Duration.ofSeconds(5);

    private ChatCall() {}

    /** What the provider answered, as JSON. */
    static ObjectNode send(
            ChatModel model,
            String provider,
            String modelName,
            ArrayNode messages,
            Optional<JsonNode> schema,
            List<ModelTool> tools,
            int maxOutputTokens) {
        var request = request(modelName, messages, schema, tools, maxOutputTokens);
        try {
            return completion(chat(model, request));
        } catch (RuntimeException first) {
            var wait = retryAfter(first);
            if (wait.isEmpty() || wait.get().compareTo(WAIT_IN_PLACE) > 0) {
                throw failure(provider, first);
            }
            // A short Retry-After is honoured here: cheaper than a step retry, and what the provider asked.
            try {
                Thread.sleep(Math.max(wait.get().toMillis(), 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(provider, first);
            }
            try {
                return completion(chat(model, request));
            } catch (RuntimeException second) {
                throw failure(provider, second);
            }
        }
    }

    private static ChatResponse chat(ChatModel model, ChatRequest request) {
        var response = model.chat(request);
        if (response == null || response.aiMessage() == null) {
            throw new IllegalStateException("the provider answered without a message");
        }
        return response;
    }

    static ChatRequest request(
            String modelName, ArrayNode messages, Optional<JsonNode> schema, List<ModelTool> tools, int maxTokens) {
        var builder = ChatRequest.builder()
                .modelName(modelName)
                .messages(messages(messages))
                .maxOutputTokens(maxTokens);
        schema.ifPresent(json -> builder.responseFormat(ResponseFormat.builder()
                .type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder()
                        .name("output")
                        .rootElement(JsonRawSchema.from(json.toString()))
                        .build())
                .build()));
        if (!tools.isEmpty()) {
            builder.toolSpecifications(tools.stream().map(ChatCall::tool).toList());
        }
        return builder.build();
    }

    private static ToolSpecification tool(ModelTool tool) {
        var schema = tool.inputSchema();
        var parameters = JsonObjectSchema.builder();
        schema.path("properties")
                .properties()
                .forEach(property -> parameters.addProperty(
                        property.getKey(),
                        JsonRawSchema.from(property.getValue().toString())));
        var required = new ArrayList<String>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        parameters.required(required);
        return ToolSpecification.builder()
                .name(tool.agent())
                .description(tool.description())
                .parameters(parameters.build())
                .build();
    }

    private static List<ChatMessage> messages(ArrayNode messages) {
        var out = new ArrayList<ChatMessage>();
        for (JsonNode message : messages) {
            String text = message.path("text").asText("");
            switch (message.path("role").asText()) {
                case "system" -> out.add(SystemMessage.from(text));
                case "user" -> out.add(UserMessage.from(text));
                case "assistant" -> {
                    var calls = new ArrayList<ToolExecutionRequest>();
                    message.path("toolCalls")
                            .forEach(call -> calls.add(ToolExecutionRequest.builder()
                                    .id(call.path("id").asText())
                                    .name(call.path("name").asText())
                                    .arguments(call.path("arguments").asText())
                                    .build()));
                    out.add(
                            calls.isEmpty()
                                    ? AiMessage.from(text)
                                    : text.isEmpty() ? AiMessage.from(calls) : AiMessage.from(text, calls));
                }
                case "tool" ->
                    out.add(ToolExecutionResultMessage.from(
                            message.path("id").asText(), message.path("name").asText(), text));
                default -> throw new IllegalArgumentException("unknown message role in " + message);
            }
        }
        return out;
    }

    private static ObjectNode completion(ChatResponse response) {
        var ai = response.aiMessage();
        ObjectNode completion = JSON.objectNode();
        completion.put("text", ai.text() == null ? "" : ai.text());
        ArrayNode calls = completion.putArray("toolCalls");
        if (ai.hasToolExecutionRequests()) {
            for (var call : ai.toolExecutionRequests()) {
                calls.addObject()
                        .put("id", call.id() == null ? "" : call.id())
                        .put("name", call.name())
                        .put("arguments", call.arguments() == null ? "{}" : call.arguments());
            }
        }
        var usage = response.metadata() == null ? null : response.metadata().tokenUsage();
        completion.put("inputTokens", usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount());
        completion.put(
                "outputTokens", usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
        return completion;
    }

    private static Optional<Duration> retryAfter(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProviderHttp.StatusFailure status) {
                return status.retryAfter();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The provider's failure in words the operator can act on, keeping the provider's own message. */
    static ProviderFailure failure(String provider, RuntimeException error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http) {
                String message = providerMessage(http.getMessage());
                String wait = retryAfter(error)
                        .map(d -> "; it asked to wait " + d.toSeconds() + "s, so the step is retried later")
                        .orElse("");
                return new ProviderFailure(
                        provider + " answered HTTP " + http.statusCode() + ": " + message + wait, error);
            }
            if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
                return new ProviderFailure(
                        provider + " did not answer in time (raise models.providers." + provider
                                + ".timeout in aios.yaml if it is slow)",
                        error);
            }
            if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
                return new ProviderFailure(
                        provider + " answered with a body that is not the JSON its API promises: "
                                + json.getOriginalMessage(),
                        error);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return new ProviderFailure(provider + " failed: " + error.getMessage(), error);
    }

    /** The {@code error.message} of a provider's error body, else the body itself. */
    private static String providerMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(no message)";
        }
        try {
            var json = MAPPER.readTree(body);
            var message = json.path("error").path("message");
            if (message.isTextual()) {
                return message.asText();
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // the body was not JSON: show it as it is
        }
        return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }

    /** A provider call that failed; the step's retry policy decides what happens next. */
    static final class ProviderFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProviderFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
