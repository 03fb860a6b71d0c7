package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aios memory add|import|search|forget|stats|reindex}: what aios remembers. */
@Command(
        name = "memory",
        description = "Stores, searches and forgets what aios remembers.",
        subcommands = {
            MemoryCommand.Add.class,
            MemoryImport.class,
            MemoryCommand.Search.class,
            MemoryCommand.Forget.class,
            MemoryCommand.Stats.class,
            MemoryCommand.Reindex.class,
            CommandLine.HelpCommand.class
        })
final class MemoryCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a memory command: add, import, search, forget, stats or reindex");
    }

    @Command(name = "add", description = "Stores a note, email, document or output.")
    static final class Add extends ClientCommand {
        @Parameters(paramLabel = "TEXT", arity = "0..1", description = "the text (or use --file)")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "read the text from a UTF-8 file")
        Path file;

        @Option(
                names = "--kind",
                defaultValue = "note",
                description = "note, email, document or output (default: note)")
        String kind;

        @Option(names = "--subject", defaultValue = "", description = "who or what it is about, e.g. acme")
        String subject;

        @Option(names = "--metadata", paramLabel = "JSON", description = "a JSON object kept with the item")
        String metadata;

        @Option(names = "--importance", paramLabel = "0..1", description = "how much it weighs in recall (0.5)")
        Double importance;

        @Option(names = "--pin", description = "keep it whatever retention says")
        boolean pin;

        @Option(names = "--json", description = "print the stored item as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            if ((text == null) == (file == null)) {
                throw new CliException(CliException.USAGE, "give the text, or --file FILE, but not both");
            }
            var body = Json.mapper().createObjectNode().put("kind", kind).put("subject", subject);
            body.put("text", text != null ? text : read(file));
            if (metadata != null) {
                body.set("metadata", parseJsonOption("--metadata", metadata));
            }
            if (importance != null) {
                body.put("importance", importance);
            }
            body.put("pinned", pin);
            var item = client.post("/api/memory", body);
            if (json) {
                printJson(item);
                return;
            }
            long chunks = item.path("chunks").asLong();
            out().println("remembered " + Text.field(item, "id") + " (" + Text.field(item, "kind")
                    + (subject.isEmpty() ? "" : ", about " + subject) + ", " + chunks
                    + (chunks == 1 ? " chunk)" : " chunks)"));
        }

        private static String read(Path file) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new CliException(CliException.USAGE, "cannot read " + file + ": " + e.getMessage());
            }
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CliException(
                        CliException.USAGE,
                        file + " is not UTF-8 text; convert it (e.g. iconv -t UTF-8) and try again");
            }
        }
    }

    @Command(name = "search", description = "Finds what memory holds, best first, with why each item scored.")
    static final class Search extends ClientCommand {
        @Parameters(paramLabel = "QUERY", arity = "0..*", description = "words to search for; none lists the newest")
        List<String> words = List.of();

        @Option(names = "--subject", description = "only items about this subject")
        String subject;

        @Option(
                names = "--kind",
                description = "only these kinds, comma-separated: event, journal, summary, note,"
                        + " email, document, output, knowledge")
        String kind;

        @Option(
                names = "--since",
                paramLabel = "TIME",
                description = "only items from then on: 7d, 12h or 2026-03-01T00:00:00Z")
        String since;

        @Option(names = "-k", defaultValue = "10", description = "how many items (1-100, default 10)")
        int k;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Option(
                names = "--explain",
                description = "show each signal's part in every score: BM25 rank and score, vector rank and"
                        + " similarity, decay, importance; and how the query was searched")
        boolean explain;

        @Override
        void run(ServerClient client) {
            var query = new LinkedHashMap<String, String>();
            query.put("q", String.join(" ", words));
            query.put("explain", explain ? "true" : null);
            query.put("subject", subject);
            query.put("kind", kind);
            query.put("from", since);
            query.put("k", Integer.toString(k));
            var result = client.get("/api/memory/search", query);
            if (json) {
                printJson(result);
                return;
            }
            var items = result.path("items");
            if (explain && result.has("plan")) {
                SearchExplanation.plan(out(), result.path("plan"));
            }
            if (items.isEmpty()) {
                out().println("nothing found");
                return;
            }
            for (var item : items) {
                out().println(String.format(
                        Locale.ROOT,
                        "%.3f  %s@%s  %s  %s  %s",
                        item.path("score").asDouble(),
                        Text.field(item, "id"),
                        item.path("version").asInt(),
                        Text.field(item, "kind"),
                        Text.optional(item, "subject").filter(s -> !s.isEmpty()).orElse("-"),
                        Text.time(item, "at")));
                out().println("       " + Text.cut(Text.field(item, "text").replace('\n', ' '), 160));
                if (explain) {
                    SearchExplanation.hit(out(), item);
                } else {
                    out().println("       why: "
                            + item.path("why").path("explanation").asText());
                }
            }
            if (!result.path("searchedByMeaning").asBoolean()) {
                out().println("(searched by words only)");
            }
        }
    }

    @Command(name = "forget", description = "Forgets everything about a subject, for good: memory, events, journal.")
    static final class Forget extends ClientCommand {
        @Parameters(paramLabel = "SUBJECT", description = "the subject, e.g. acme")
        String subject;

        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var report = client.delete("/api/memory/subjects/" + ServerClient.segment(subject));
            if (json) {
                printJson(report);
                return;
            }
            out().println("forgot " + Text.field(report, "subject") + ": "
                    + report.path("memoryItems").asLong()
                    + " memory items and records, "
                    + report.path("keysDestroyed").asLong() + " keys destroyed, "
                    + report.path("runsCancelled").asLong() + " runs cancelled, "
                    + report.path("eventsUnreadable").asLong() + " events no longer readable");
        }
    }

    @Command(name = "stats", description = "Sizes per tier, the embedding queue, and what retention removes next.")
    static final class Stats extends ClientCommand {
        @Option(names = "--json", description = "print the stats as JSON")
        boolean json;

        @Override
        void run(ServerClient client) {
            var stats = client.get("/api/memory/stats");
            if (json) {
                printJson(stats);
                return;
            }
            var table = Table.withColumns("TIER", "ITEMS", "CHUNKS", "BYTES");
            stats.path("tiers")
                    .properties()
                    .forEach(tier -> table.row(
                            tier.getKey().toLowerCase(Locale.ROOT),
                            tier.getValue().path("items").asText(),
                            tier.getValue().path("chunks").asText(),
                            tier.getValue().path("bytes").asText()));
            table.print(out(), "");
            var kinds = new StringBuilder();
            stats.path("kinds").properties().forEach(kind -> {
                if (kind.getValue().asLong() > 0) {
                    kinds.append(kinds.isEmpty() ? "" : ", ")
                            .append(kind.getKey())
                            .append(' ')
                            .append(kind.getValue().asLong());
                }
            });
            out().println("kinds       " + (kinds.isEmpty() ? "none yet" : kinds));
            out().println("knowledge   " + stats.path("knowledgeVersions").asLong() + " record versions");
            var index = stats.path("index");
            out().println("index       " + index.path("chunks").asLong() + " chunks, "
                    + index.path("bytes").asLong() / 1024 + " KiB in " + Text.field(index, "directory"));
            var embedding = stats.path("embedding");
            out().println("embedding   " + Text.field(embedding, "model") + ", "
                    + embedding.path("waiting").asLong() + " chunks waiting" + failure(embedding));
            var next = stats.path("nextRetention");
            var expire = new StringBuilder();
            next.path("expire").properties().forEach(e -> expire.append(expire.isEmpty() ? "" : ", ")
                    .append(e.getValue().asLong())
                    .append(' ')
                    .append(e.getKey()));
            out().println("retention   next at " + Text.time(next, "at") + ": expires "
                    + (expire.isEmpty() ? "nothing" : expire) + "; compacts "
                    + next.path("compact").asLong()
                    + " episodic items into " + next.path("summaries").asLong() + " summaries"
                    + (next.path("legalHolds").isEmpty() ? "" : "; on hold: " + Text.strings(next, "legalHolds")));
        }

        private static String failure(JsonNode embedding) {
            var failure = embedding.path("lastFailure").asText("");
            return failure.isEmpty() ? "" : " (last failure: " + failure + ")";
        }
    }

    @Command(
            name = "reindex",
            description = "Rebuilds the search index from memory's tables (nothing is embedded again), with"
                    + " progress: for when the index is thought damaged. Searches answer 503 until it ends.")
    static final class Reindex extends ClientCommand {
        /** How often the server is asked how far the rebuild got. */
        private static final Duration POLL = Duration.ofMillis(500);

        @Option(names = "--no-wait", description = "start the rebuild and return; GET /health shows how far it got")
        boolean noWait;

        @Option(names = "--json", description = "print the index's state as JSON when done")
        boolean json;

        @Override
        void run(ServerClient client) {
            var state = client.post("/api/memory/reindex", Json.mapper().createObjectNode());
            if (!noWait) {
                state = follow(client);
            }
            if (json) {
                printJson(state);
                return;
            }
            switch (state.path("state").asText()) {
                case "ready" ->
                    out().println("memory index rebuilt: "
                            + state.path("chunks").asLong() + " chunks");
                case "rebuilding" ->
                    out().println("memory index rebuilding (" + Text.field(state, "reason") + "): "
                            + state.path("done").asLong() + " of "
                            + state.path("total").asLong()
                            + " chunks; GET /health shows how far it got");
                default -> throw failed(state);
            }
        }

        /** Shows the rebuild's progress from {@code GET /health} until it ends; answers its last state. */
        private JsonNode follow(ServerClient client) {
            var err = spec.commandLine().getErr();
            try (var progress =
                    ProgressPrinter.forCli(err, "reindex", ProgressPrinter.Unit.ITEMS, AiosCommand.environment(spec))) {
                while (true) {
                    var index = client.get("/health").path("memory").path("index");
                    if (index.isMissingNode()) {
                        throw new CliException(
                                CliException.FAILED, "the server answers no memory index state; is it an older aios?");
                    }
                    switch (index.path("state").asText()) {
                        case "rebuilding" ->
                            progress.advanced(
                                    index.path("done").asLong(),
                                    index.path("total").asLong());
                        case "failed" -> throw failed(index);
                        default -> {
                            progress.advanced(
                                    index.path("chunks").asLong(),
                                    index.path("chunks").asLong());
                            return index;
                        }
                    }
                    try {
                        Thread.sleep(POLL);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CliException(
                                CliException.FAILED, "stopped waiting; the rebuild goes on in the server");
                    }
                }
            }
        }

        private static CliException failed(JsonNode state) {
            return new CliException(
                    CliException.FAILED,
                    "the memory index could not be rebuilt ("
                            + state.path("reason").asText()
                            + "); see the server log, then run aios memory reindex again");
        }
    }
}
