package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.policy.Redaction;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The privacy rules applied to one prompt: the values of the personal fields of the step's input
 * (by JSON path) and what the detectors find (emails, phone numbers, IBANs) are replaced by
 * placeholders, the same value by the same placeholder; a subject in a local-only segment is
 * refused a provider that is not local.
 */
public final class Redactor {
    private static final Pattern EMAIL =
            Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    private static final Pattern IBAN =
            Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b");
    private static final Pattern PHONE = Pattern.compile(
            "(?<![\\w+])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}(?:[ .-]?\\d{2,4}){2,4}(?![\\w])");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}.*");

    private final Rules.Privacy rules;
    private final Map<String, String> placeholders = new LinkedHashMap<>(); // original -> placeholder
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<Redaction.Redacted> redacted = new ArrayList<>();

    private Redactor(Rules.Privacy rules) {
        this.rules = rules;
    }

    /**
     * Applies {@code rules} to {@code texts}, sent for a step with {@code input} about a subject in
     * {@code segments}, to a provider that is {@code local} or not.
     */
    public static Redaction apply(
            Rules.Privacy rules,
            List<String> segments,
            JsonNode input,
            List<String> texts,
            boolean local,
            String provider) {
        if (local) {
            return Redaction.none(texts);
        }
        var restricted = segments.stream().filter(rules.localOnly()::contains).findFirst();
        if (restricted.isPresent()) {
            return new Redaction(
                    texts,
                    Map.of(),
                    List.of(),
                    Optional.of("the subject is in segment '" + restricted.get() + "', whose prompts go only to local"
                            + " models, and provider '" + provider + "' is not marked local: true; route this model"
                            + " class to a local provider (Ollama, vLLM, llama.cpp) in aios.yaml"));
        }
        if (rules.detectors().isEmpty() && rules.fields().isEmpty()) {
            return Redaction.none(texts);
        }
        return new Redactor(rules).redact(input, texts);
    }

    private Redaction redact(JsonNode input, List<String> texts) {
        var fieldValues = new ArrayList<String[]>();
        for (var path : rules.fields()) {
            for (var value : values(input, path)) {
                if (value.strip().length() >= 2) {
                    fieldValues.add(new String[] {value.strip(), path});
                }
            }
        }
        fieldValues.sort(Comparator.comparingInt((String[] v) -> v[0].length()).reversed());
        var out = new ArrayList<String>();
        for (var text : texts) {
            var t = text;
            for (var field : fieldValues) {
                if (t.contains(field[0])) {
                    t = t.replace(field[0], placeholder(field[0], "PERSONAL", field[1]));
                }
            }
            if (rules.detectors().contains(Rules.Detector.EMAILS)) {
                t = replace(t, EMAIL, "EMAIL", "emails");
            }
            if (rules.detectors().contains(Rules.Detector.IBANS)) {
                t = replace(t, IBAN, "IBAN", "ibans");
            }
            if (rules.detectors().contains(Rules.Detector.PHONES)) {
                t = replace(t, PHONE, "PHONE", "phones");
            }
            out.add(t);
        }
        var originals = new LinkedHashMap<String, String>();
        placeholders.forEach((original, placeholder) -> originals.put(placeholder, original));
        return new Redaction(out, originals, redacted, Optional.empty());
    }

    private String replace(String text, Pattern pattern, String label, String kind) {
        Matcher m = pattern.matcher(text);
        var b = new StringBuilder();
        while (m.find()) {
            var found = m.group();
            boolean personal =
                    switch (label) {
                        case "IBAN" -> ibanChecks(found);
                        case "PHONE" -> phoneLike(found);
                        default -> true;
                    };
            m.appendReplacement(b, Matcher.quoteReplacement(personal ? placeholder(found, label, kind) : found));
        }
        m.appendTail(b);
        return b.toString();
    }

    private String placeholder(String original, String label, String kind) {
        return placeholders.computeIfAbsent(original, o -> {
            int n = counts.merge(label, 1, Integer::sum);
            var placeholder = "[" + label + "_" + n + "]";
            redacted.add(new Redaction.Redacted(placeholder, kind));
            return placeholder;
        });
    }

    private static boolean phoneLike(String found) {
        long digits = found.chars().filter(Character::isDigit).count();
        return digits >= 8 && digits <= 15 && !DATE.matcher(found).matches();
    }

    /** The ISO 13616 check: the rearranged number modulo 97 is 1. */
    static boolean ibanChecks(String found) {
        var iban = found.replace(" ", "").toUpperCase(Locale.ROOT);
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        var rearranged = iban.substring(4) + iban.substring(0, 4);
        var digits = new StringBuilder();
        for (char ch : rearranged.toCharArray()) {
            digits.append(Character.isDigit(ch) ? String.valueOf(ch) : String.valueOf(ch - 'A' + 10));
        }
        return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    /** The string values at a path such as {@code $.email} or {@code $.contacts[*].phone}. */
    static List<String> values(JsonNode root, String path) {
        var current = List.of(root);
        var parts = path.substring(1).split("(?=\\.)|(?=\\[\\*])");
        for (var part : parts) {
            var next = new ArrayList<JsonNode>();
            for (var node : current) {
                if (part.equals("[*]")) {
                    node.forEach(next::add);
                } else if (part.startsWith(".")) {
                    var child = node.get(part.substring(1));
                    if (child != null) {
                        next.add(child);
                    }
                }
            }
            current = next;
        }
        var out = new ArrayList<String>();
        for (var node : current) {
            if (node.isValueNode() && !node.isNull()) {
                out.add(node.asText());
            }
        }
        return out;
    }
}
