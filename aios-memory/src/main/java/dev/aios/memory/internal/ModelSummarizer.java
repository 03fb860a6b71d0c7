package dev.aios.memory.internal;

import dev.aios.memory.MemorySettings.Endpoint;
import dev.aios.memory.spi.Summarizer;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * Summarizes with a model behind an OpenAI-compatible chat endpoint. Memory calls it directly; once
 * the model gateway exists this should go through it, for its budgets and cost ledger.
 */
final class ModelSummarizer implements Summarizer {
    private static final int MAX_INPUT = 12_000;

    private final Endpoint endpoint;
    private final OpenAiChatModel model;

    ModelSummarizer(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.model = OpenAiChatModel.builder()
                .baseUrl(endpoint.baseUrl().toString())
                .apiKey(endpoint.apiKey().isEmpty() ? "none" : endpoint.apiKey())
                .modelName(endpoint.model())
                .timeout(Duration.ofSeconds(60))
                .maxRetries(1)
                .temperature(0.0)
                .build();
    }

    @Override
    public String name() {
        return endpoint.model();
    }

    @Override
    public String summarize(String subject, LocalDate day, List<String> texts) {
        var records = new StringBuilder();
        for (String text : texts) {
            if (records.length() + text.length() > MAX_INPUT) {
                records.append("\n(").append(texts.size()).append(" records in all; the rest left out)");
                break;
            }
            records.append(text.strip()).append("\n---\n");
        }
        var prompt = "Summarize these records of what happened"
                + (subject.isEmpty() ? "" : " about " + subject)
                + " on " + day + " in at most 8 plain sentences. Keep names, amounts, decisions and outcomes;"
                + " leave out ids and timings.\n\n" + records;
        var summary = model.chat(prompt).strip();
        if (summary.isEmpty()) {
            throw new IllegalStateException("the model returned an empty summary");
        }
        return summary;
    }
}
