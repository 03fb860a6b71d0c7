package dev.aios.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aios memory import FILE|DIR}: many items at once. A JSON lines file ({@code .jsonl},
 * {@code .ndjson}) holds one item per line as {@code POST /api/memory} takes it; a Markdown or text
 * file ({@code .md}, {@code .markdown}, {@code .txt}) is one document; an mbox file ({@code .mbox})
 * or a Maildir folder gives one email item per message ({@link MailFiles}); a directory is searched
 * for all of them. Every item is checked before anything is sent, so bad lines are all listed (file and line)
 * and nothing is stored unless {@code --skip-bad}. An item without an id gets one derived from its
 * content, so an import interrupted or run twice stores each item once.
 */
@Command(
        name = "import",
        description = "Stores many items at once from JSON lines (.jsonl, one item a line), Markdown or text"
                + " files (one document each), mbox files or Maildir folders (one email each), or a directory"
                + " of them.")
final class MemoryImport extends ClientCommand {
    private static final Set<String> FIELDS =
            Set.of("kind", "subject", "text", "metadata", "importance", "pinned", "id");
    private static final int BATCH_ITEMS = 500;
    /** Under the server's limit of a request body, with room for the JSON around the items. */
    private static final int BATCH_BYTES = 900_000;

    @Parameters(
            paramLabel = "FILE|DIR",
            description = "a .jsonl, .md, .txt or .mbox file, a Maildir folder, or a directory of them")
    Path source;

    @Option(names = "--subject", defaultValue = "", description = "the subject of items that name none, e.g. acme")
    String subject;

    @Option(
            names = "--kind",
            defaultValue = "document",
            description = "the kind of Markdown and text files: note, email, document or output (default: document)")
    String kind;

    @Option(names = "--skip-bad", description = "store the good items even when some are bad (the bad are listed)")
    boolean skipBad;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    /** One item read, with where it came from. */
    record Item(String where, ObjectNode body, int bytes) {}

    @Override
    void run(ServerClient client) {
        var fileKind = parseKind(kind);
        var files = files(source);
        var items = new ArrayList<Item>();
        var bad = new ArrayList<String>();
        var mail = new MailFiles.Sink() {
            @Override
            public void item(MailFiles.Read read) {
                add(read.where(), read.body(), items, bad);
            }

            @Override
            public void bad(String line) {
                bad.add(line);
            }
        };
        for (var file : files) {
            switch (type(file)) {
                case MBOX -> MailFiles.mbox(file, subject, mail);
                case MAILDIR -> MailFiles.maildir(file, subject, mail);
                case LINES, DOCUMENT -> read(file, fileKind, items, bad);
                case OTHER -> throw new IllegalStateException("not importable: " + file);
            }
        }
        var err = spec.commandLine().getErr();
        bad.forEach(err::println);
        if (!bad.isEmpty() && !skipBad) {
            throw new CliException(
                    CliException.USAGE,
                    bad.size() + (bad.size() == 1 ? " item is" : " items are") + " bad (listed above); nothing was"
                            + " imported. Fix them and run the import again, or add --skip-bad to import the"
                            + " other " + items.size());
        }
        long started = System.nanoTime();
        long stored = 0;
        long existing = 0;
        int done = 0;
        try (var progress =
                ProgressPrinter.forCli(err, "import", ProgressPrinter.Unit.ITEMS, AiosCommand.environment(spec))) {
            for (var batch : batches(items)) {
                JsonNode answer;
                try {
                    answer = client.post("/api/memory/batch", java.util.Map.of(), body(batch), Duration.ofMinutes(2));
                } catch (CliException e) {
                    throw new CliException(
                            e.exitCode(),
                            e.getMessage() + "\nstopped at " + batch.getFirst().where() + " (items " + (done + 1)
                                    + "-" + (done + batch.size()) + " of " + items.size() + "); the " + done
                                    + " before are stored. Run the same import again once fixed: items already"
                                    + " stored are skipped");
                }
                stored += answer.path("stored").asLong();
                existing += answer.path("existing").asLong();
                done += batch.size();
                progress.advanced(done, items.size());
            }
        }
        double seconds = Math.max(System.nanoTime() - started, 1) / 1e9;
        if (json) {
            var summary = Json.mapper().createObjectNode();
            summary.put("files", files.size());
            summary.put("items", items.size());
            summary.put("stored", stored);
            summary.put("existing", existing);
            summary.put("bad", bad.size());
            summary.put("seconds", Math.round(seconds * 1000) / 1000.0);
            printJson(summary);
            return;
        }
        out().println(String.format(
                Locale.ROOT,
                "imported %d items from %s in %.1f s (%.0f items/s): %d new, %d already there%s",
                items.size(),
                sources(files),
                seconds,
                items.size() / seconds,
                stored,
                existing,
                bad.isEmpty() ? "" : ", " + bad.size() + " bad skipped"));
        out().println("they are found by words now and by meaning once embedded (aios memory stats shows the"
                + " queue)");
    }

    /** What was read, for the summary: e.g. {@code 3 files}, {@code 1 file and 2 Maildir folders}. */
    private static String sources(List<Path> files) {
        long folders = files.stream().filter(f -> type(f) == Type.MAILDIR).count();
        long plain = files.size() - folders;
        var parts = new ArrayList<String>();
        if (plain > 0 || folders == 0) {
            parts.add(plain + (plain == 1 ? " file" : " files"));
        }
        if (folders > 0) {
            parts.add(folders + (folders == 1 ? " Maildir folder" : " Maildir folders"));
        }
        return String.join(" and ", parts);
    }

    private static MemoryKind parseKind(String kind) {
        try {
            var parsed = MemoryKind.fromWire(kind);
            Remember.of(parsed, "", "x");
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, "--kind: " + e.getMessage());
        }
    }

    /**
     * What to import, in name order: {@code source} itself, or the importable files and Maildir folders
     * under it (a Maildir's own files are its messages, not searched further).
     */
    private static List<Path> files(Path source) {
        if (Files.isRegularFile(source)) {
            if (type(source) == Type.OTHER) {
                throw new CliException(
                        CliException.USAGE,
                        source + " is not a file memory imports: use .jsonl (one item a line), .md, .txt or .mbox");
            }
            return List.of(source);
        }
        if (!Files.isDirectory(source)) {
            throw new CliException(CliException.USAGE, source + " does not exist; name a file or a directory");
        }
        try (Stream<Path> walk = Files.walk(source)) {
            var all = walk.filter(f -> type(f) != Type.OTHER).sorted().toList();
            var maildirs = all.stream().filter(f -> type(f) == Type.MAILDIR).toList();
            var files = all.stream()
                    .filter(f -> type(f) == Type.MAILDIR
                            || maildirs.stream()
                                    .noneMatch(m -> f.startsWith(m.resolve("cur"))
                                            || f.startsWith(m.resolve("new"))
                                            || f.startsWith(m.resolve("tmp"))))
                    .toList();
            if (files.isEmpty()) {
                throw new CliException(
                        CliException.USAGE,
                        "no .jsonl, .md, .txt or .mbox file or Maildir folder under " + source + "; nothing to import");
            }
            return files;
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read " + source + ": " + e.getMessage());
        }
    }

    private enum Type {
        LINES,
        DOCUMENT,
        MBOX,
        MAILDIR,
        OTHER
    }

    private static Type type(Path file) {
        if (Files.isDirectory(file)) {
            return MailFiles.isMaildir(file) ? Type.MAILDIR : Type.OTHER;
        }
        if (MailFiles.isMbox(file)) {
            return Type.MBOX;
        }
        var name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Type.LINES;
        }
        if (name.endsWith(".md") || name.endsWith(".markdown") || name.endsWith(".txt")) {
            return Type.DOCUMENT;
        }
        return Type.OTHER;
    }

    private void read(Path file, MemoryKind fileKind, List<Item> items, List<String> bad) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            bad.add(file + ": not UTF-8 text; convert it (e.g. iconv -t UTF-8)");
            return;
        } catch (IOException e) {
            bad.add(file + ": cannot be read: " + e.getMessage());
            return;
        }
        if (type(file) == Type.DOCUMENT) {
            var body = Json.mapper().createObjectNode();
            body.put("kind", fileKind.wire()).put("subject", subject).put("text", text);
            body.putObject("metadata").put("source", file.getFileName().toString());
            add(file.toString(), body, items, bad);
            return;
        }
        var reader = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        var lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            var where = file + ":" + (n + 1);
            if (lines[n].isBlank()) {
                continue;
            }
            try {
                var node = reader.readTree(lines[n]);
                if (!(node instanceof ObjectNode body)) {
                    bad.add(where + ": not a JSON object; each line is one item, e.g. {\"text\": \"...\"}");
                    continue;
                }
                body.putIfAbsent("kind", Json.mapper().getNodeFactory().textNode("note"));
                body.putIfAbsent("subject", Json.mapper().getNodeFactory().textNode(subject));
                add(where, body, items, bad);
            } catch (JsonProcessingException e) {
                bad.add(where + ": not valid JSON: " + e.getOriginalMessage());
            }
        }
    }

    /** Checks an item as the server would, gives it an id from its content when it has none, and keeps it. */
    private static void add(String where, ObjectNode body, List<Item> items, List<String> bad) {
        var unknown = new ArrayList<String>();
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            bad.add(where + ": unknown field '" + unknown.getFirst() + "'; the fields are "
                    + String.join(", ", new java.util.TreeSet<>(FIELDS)));
            return;
        }
        try {
            var item = Remember.of(
                            MemoryKind.fromWire(body.path("kind").asText()),
                            textField(body, "subject"),
                            textField(body, "text"))
                    .withMetadata(
                            body.has("metadata")
                                    ? body.get("metadata")
                                    : Json.mapper().createObjectNode());
            if (body.has("importance")) {
                if (!body.get("importance").isNumber()) {
                    throw new IllegalArgumentException("importance must be a number between 0 and 1");
                }
                item = item.withImportance(body.get("importance").asDouble());
            }
            if (body.has("pinned") && !body.get("pinned").isBoolean()) {
                throw new IllegalArgumentException("pinned must be true or false");
            }
            if (body.hasNonNull("id")) {
                item.withId(textField(body, "id"));
            } else {
                body.put("id", "import-" + digest(item));
            }
            items.add(new Item(where, body, Json.mapper().writeValueAsBytes(body).length));
        } catch (IllegalArgumentException e) {
            bad.add(where + ": " + e.getMessage());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String textField(JsonNode body, String field) {
        var value = body.get(field);
        if (value == null || value.isNull()) {
            if (field.equals("text")) {
                throw new IllegalArgumentException("field 'text' is required");
            }
            return "";
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return value.asText();
    }

    /** The same content gets the same id, so importing it again stores nothing new. */
    private static String digest(Remember item) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            for (var part : List.of(item.kind().wire(), item.subject(), item.text())) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<List<Item>> batches(List<Item> items) {
        var batches = new ArrayList<List<Item>>();
        var batch = new ArrayList<Item>();
        int bytes = 0;
        for (var item : items) {
            if (!batch.isEmpty() && (batch.size() >= BATCH_ITEMS || bytes + item.bytes() > BATCH_BYTES)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(item);
            bytes += item.bytes() + 1;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    private static JsonNode body(List<Item> batch) {
        var body = Json.mapper().createObjectNode();
        var list = body.putArray("items");
        batch.forEach(item -> list.add(item.body()));
        return body;
    }
}
