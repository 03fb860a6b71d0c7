package dev.aios.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the privacy rules made of a prompt before it leaves for a model provider.
 *
 * @param texts the prompt's texts, personal data replaced by placeholders such as {@code [EMAIL_1]}
 * @param originals each placeholder and the value it stands for, to restore in the answer; never
 *     sent anywhere
 * @param redacted for the call's receipt: one {@code {placeholder, kind}} per value replaced, where
 *     kind is {@code emails}, {@code phones}, {@code ibans} or the JSON path of a personal field
 * @param refusal set when the prompt must not go to this provider at all: the subject is in a
 *     segment whose prompts go only to local models; says what to do
 */
public record Redaction(
        List<String> texts, Map<String, String> originals, List<Redacted> redacted, Optional<String> refusal) {
    public Redaction {
        texts = List.copyOf(texts);
        originals = Map.copyOf(originals);
        redacted = List.copyOf(redacted);
        Objects.requireNonNull(refusal, "refusal");
    }

    /** One value replaced: its placeholder and why. */
    public record Redacted(String placeholder, String kind) {}

    /** Nothing redacted. */
    public static Redaction none(List<String> texts) {
        return new Redaction(texts, Map.of(), List.of(), Optional.empty());
    }

    /**
     * {@code answer} with the placeholders put back; inside JSON ({@code json}) the values are
     * escaped as JSON string content.
     */
    public String restore(String answer, boolean json) {
        var out = answer;
        for (var e : originals.entrySet()) {
            var value = json ? jsonEscaped(e.getValue()) : e.getValue();
            out = out.replace(e.getKey(), value);
        }
        return out;
    }

    private static String jsonEscaped(String value) {
        var b = new StringBuilder();
        for (char ch : value.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
