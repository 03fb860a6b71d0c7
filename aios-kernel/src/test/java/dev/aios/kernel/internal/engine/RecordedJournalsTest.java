package dev.aios.kernel.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.Admin;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.Checksums;
import dev.aios.kernel.internal.journal.EntryTypes;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.run.RunFold;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Journals recorded by earlier versions of aios ({@code src/test/resources/journals}, see {@code
 * JournalRecorder}) must still be read, folded and verified by this one, forever: a refactoring
 * that renames an entry type or a field, or changes what a fold makes of an entry, fails here
 * instead of breaking stored data. The files are never edited; a new journal format adds a new
 * directory of recordings beside the old ones.
 */
class RecordedJournalsTest {

    /** One recorded scenario: its file and its content. */
    record Recording(String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }

        List<JsonNode> runs() {
            var runs = new ArrayList<JsonNode>();
            json.path("runs").forEach(runs::add);
            return runs;
        }

        /**
         * Whether the run's subject was forgotten: its key is gone (and, since forgetting renames
         * the subject, the run shows its pseudonym).
         */
        boolean forgotten(JsonNode run) {
            String subject = run.path("view").path("subject").asText();
            if (subject.startsWith(dev.aios.kernel.internal.journal.Pseudonyms.PREFIX)) {
                return true;
            }
            for (var key : json.path("keys")) {
                if (key.path("subject").asText().equals(subject)
                        && key.path("key").isNull()) {
                    return true;
                }
            }
            return false;
        }
    }

    static Stream<Recording> recordings() throws IOException, URISyntaxException {
        var root = Path.of(RecordedJournalsTest.class.getResource("/journals").toURI());
        try (var files = Files.walk(root)) {
            var found =
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            var recordings = new ArrayList<Recording>();
            for (var file : found) {
                recordings.add(new Recording(
                        root.relativize(file).toString(), Json.mapper().readTree(file.toFile())));
            }
            return recordings.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void everyEntryStillReadsAsItWasWritten(Recording recording) {
        for (var run : recording.runs()) {
            for (var entry : run.path("entries")) {
                if (!entry.has("data")) {
                    continue; // sealed with a key forgotten before it could be recorded in the clear
                }
                String at = run.path("id").asText() + "#" + entry.path("seq").asLong();
                var read = EntryTypes.read(entry.path("type").asText(), Json.bytes(entry.path("data")));
                assertThat(read.type()).as(at).isEqualTo(entry.path("type").asText());
                assertThat(Json.tree(new String(Json.bytes(read), java.nio.charset.StandardCharsets.UTF_8)))
                        .as(at)
                        .isEqualTo(entry.path("data"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void everyChecksumChainStillVerifies(Recording recording) {
        for (var run : recording.runs()) {
            String previous = "";
            for (var entry : run.path("entries")) {
                String checksum = Checksums.chain(
                        previous,
                        run.path("id").asText(),
                        entry.path("seq").asLong(),
                        entry.path("type").asText(),
                        entry.path("at").asLong(),
                        entry.path("codec").asText(),
                        Base64.getDecoder().decode(entry.path("payload").asText()));
                assertThat(checksum)
                        .as(run.path("id").asText() + "#" + entry.path("seq").asLong())
                        .isEqualTo(entry.path("checksum").asText());
                previous = checksum;
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void foldingTheEntriesGivesTheRunTheOperatorSaw(Recording recording) {
        for (var run : recording.runs()) {
            String runId = run.path("id").asText();
            var state = RunFold.empty(runId);
            var results = new HashMap<String, JsonNode>();
            boolean complete = true;
            for (var entry : run.path("entries")) {
                if (!entry.has("data")) {
                    complete = false;
                    break;
                }
                var read = EntryTypes.read(entry.path("type").asText(), Json.bytes(entry.path("data")));
                RunFold.apply(state, read, Instant.ofEpochMilli(entry.path("at").asLong()));
                state.seq = entry.path("seq").asLong();
                state.checksum = entry.path("checksum").asText();
                if (read instanceof JournalEntry.EffectRecorded effect) {
                    results.putIfAbsent(effect.key(), effect.result());
                }
            }
            if (!complete) {
                continue;
            }
            if (recording.forgotten(run)) {
                Forgetting.scrub(state);
                results.replaceAll((key, result) -> Forgetting.FORGOTTEN);
                pseudonyms(state, run.path("view"));
            }
            var view =
                    (ObjectNode) Json.tree(Views.run(state, List.of(), results, parentLink(recording, runId, state)));
            var recorded = ((ObjectNode) run.path("view")).deepCopy();
            view.remove("tasks");
            recorded.remove("tasks");
            assertContains(runId, recorded, view);
        }
    }

    /**
     * The pseudonyms that forgetting gave a run's subject and its trigger's ids, as the recorded
     * view shows them: they are made with the installation's secret, which a recording does not
     * keep. Recordings made before forgetting renamed anything show none.
     */
    private static void pseudonyms(dev.aios.kernel.internal.run.RunState state, JsonNode view) {
        String subject = view.path("subject").asText();
        if (!subject.startsWith(dev.aios.kernel.internal.journal.Pseudonyms.PREFIX)) {
            return;
        }
        state.subject = subject;
        if (state.trigger instanceof ObjectNode trigger) {
            for (String field : List.of("subject", "id", "correlationId", "causationId")) {
                var recorded = view.path("trigger").path(field);
                if (recorded.isTextual() && trigger.path(field).isTextual()) {
                    trigger.put(field, recorded.asText());
                }
            }
        }
    }

    /**
     * How a child run links to its parent: where it was called, from its own entries; what the parent
     * is (playbook, version, status), from the parent's recording.
     */
    static dev.aios.kernel.RunLink parentLink(
            Recording recording, String runId, dev.aios.kernel.internal.run.RunState state) {
        if (state.parent == null) {
            return null;
        }
        var parent = recording.runs().stream()
                .filter(r -> r.path("id").asText().equals(state.parent.run))
                .findFirst()
                .orElseThrow(() -> new AssertionError(runId + ": its parent " + state.parent.run + " is not recorded"))
                .path("view");
        boolean waits = false;
        for (var child : parent.path("children")) {
            if (child.path("run").asText().equals(runId)) {
                waits = child.path("waits").asBoolean();
            }
        }
        return new dev.aios.kernel.RunLink(
                state.parent.run,
                state.parent.step,
                state.parent.iteration,
                parent.path("playbook").asText(),
                parent.path("version").asText(),
                waits,
                parent.path("status").asText());
    }

    /**
     * Every stored entry type is in some recording, so that none can be renamed, lose a field or be
     * folded differently unnoticed: a new entry type needs a new recording ({@code JournalRecorder},
     * {@code GraphJournalRecorder}) before this passes.
     */
    @Test
    void theRecordingsCoverEveryEntryTypeAndUseOnlyKnownNames() throws Exception {
        var used = new HashSet<String>();
        recordings().forEach(r -> r.runs().forEach(run -> run.path("entries")
                .forEach(e -> used.add(e.path("type").asText()))));
        assertThat(used).as("recorded types are known").isSubsetOf(EntryTypes.names());
        assertThat(EntryTypes.names())
                .as("every entry type needs a recorded journal that uses it (see JournalRecorder)")
                .isSubsetOf(used);
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void copiedIntoAFreshStoreTheyVerifyAndRebuildToTheSameRuns(Recording recording) throws Exception {
        Path data = dir.resolve("data");
        RecordedStore.load(data, recording.json());
        assertThat(Admin.rebuild(data).runs()).isEqualTo(recording.runs().size());
        assertThat(Admin.verify(data).problems()).isEmpty();
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            for (var run : recording.runs()) {
                if (recording.forgotten(run)) {
                    continue; // its derived rows cannot be rebuilt: nothing is left to rebuild them from
                }
                String runId = run.path("id").asText();
                assertContains(runId, run.path("view"), Json.tree(kernel.run(runId)));
                assertContains(
                        runId + " tasks",
                        run.path("tasks"),
                        Json.tree(kernel.tasks(true).stream()
                                .filter(t -> t.runId().equals(runId))
                                .toList()));
            }
        }
    }

    /**
     * Everything recorded is still there with the same value; what later versions add to a view is
     * allowed.
     */
    static void assertContains(String path, JsonNode recorded, JsonNode actual) {
        if (recorded.isObject()) {
            if (!actual.isObject()) {
                fail(path + ": recorded " + recorded + ", now " + actual);
            }
            recorded.properties().forEach(field -> {
                if (!actual.has(field.getKey())) {
                    fail(path + "/" + field.getKey() + " is missing; recorded " + field.getValue());
                }
                assertContains(path + "/" + field.getKey(), field.getValue(), actual.get(field.getKey()));
            });
        } else if (recorded.isArray()) {
            if (!actual.isArray() || actual.size() != recorded.size()) {
                fail(path + ": recorded " + recorded + ", now " + actual);
            }
            for (int i = 0; i < recorded.size(); i++) {
                assertContains(path + "[" + i + "]", recorded.get(i), actual.get(i));
            }
        } else if (recorded.isNumber() && actual.isNumber()) {
            if (recorded.decimalValue().compareTo(actual.decimalValue()) != 0) {
                fail(path + ": recorded " + recorded + ", now " + actual);
            }
        } else if (!recorded.equals(actual)) {
            fail(path + ": recorded " + recorded + ", now " + actual);
        }
    }

    @Test
    void subjectsForgottenByAnOlderVersionAreFiledUnderTheirPseudonymsOnTheNextStart() throws Exception {
        var recording = recordings()
                .filter(r -> r.name().endsWith("forgetting.json"))
                .findFirst()
                .orElseThrow();
        Path data = dir.resolve("data");
        RecordedStore.load(data, recording.json());
        Admin.rebuild(data);
        long journaled = recording.runs().stream()
                .filter(run -> run.path("view").path("subject").asText().equals("o-3"))
                .count();
        assertThat(journaled).isPositive();
        try (var kernel = Kernel.builder().dataDirectory(data).build()) {
            var check = kernel.forgotten("o-3");
            assertThat(check.forgotten()).isTrue();
            assertThat(check.pseudonym()).startsWith("forgotten:");
            assertThat(kernel.audit().since(java.time.Instant.EPOCH, 100))
                    .filteredOn(e -> e.action().equals("subject.forget"))
                    .extracting(e -> e.actor() + " " + e.target())
                    .contains("kernel " + check.pseudonym());
            assertThat(kernel.verify().problems()).isEmpty();
        }
        // No journal entry names the subject any more, and the chains still verify.
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"));
                var rows = db.createStatement()
                        .executeQuery("SELECT subject, COUNT(*) FROM journal WHERE subject IN ('o-3', '"
                                + "o-99') OR subject LIKE 'forgotten:%' GROUP BY subject")) {
            var subjects = new java.util.ArrayList<String>();
            while (rows.next()) {
                subjects.add(rows.getString(1));
            }
            assertThat(subjects).isNotEmpty().allSatisfy(s -> assertThat(s).startsWith("forgotten:"));
        }
        assertThat(Admin.verify(data).problems()).isEmpty();
    }
}
