package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aios.server.internal.Json;
import dev.aios.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution built by {@code mvn -Pdist verify}: the archive and the Debian package are
 * unpacked into a scratch directory and the {@code aios} they hold is started with nothing but
 * {@code readlink} and {@code dirname} on the {@code PATH} (no JDK, no Maven), and answers.
 */
@EnabledIfSystemProperty(named = "aios.dist", matches = ".+")
class DistributionIT {
    /** The 200 MB, for the archive and for what it unpacks to alike. */
    private static final long MAX_ARCHIVE_BYTES = 200L * 1024 * 1024;

    private static final long MAX_UNPACKED_BYTES = 200L * 1024 * 1024;

    private final Path dist = Path.of(System.getProperty("aios.dist", ""));
    private final String version = System.getProperty("aios.version", "");

    @TempDir
    Path dir;

    @Test
    void theArchiveStartsAiosWithNoJdkAndNoMavenOnThePath() throws Exception {
        var archive = dist.resolve("aios-" + version + "-linux-x64.tar.gz");
        assertThat(Files.size(archive)).isLessThanOrEqualTo(MAX_ARCHIVE_BYTES);
        run(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString()));
        var home = dir.resolve("aios-" + version + "-linux-x64");
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(bytesUnder(home)).as("bytes unpacked").isLessThanOrEqualTo(MAX_UNPACKED_BYTES);
        assertThatAiosStartsAndAnswers(home.resolve("bin/aios"), fromTheCacheMadeAtBuildTime(home));
    }

    @Test
    void theDebianPackageInstallsAiosUnderOptWithAServiceOfItsOwn() throws Exception {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed");
        var root = dir.resolve("root");
        run(List.of(
                "dpkg-deb", "-x", dist.resolve("aios_" + version + "_amd64.deb").toString(), root.toString()));
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/aios"))).isEqualTo(Path.of("/opt/aios/bin/aios"));
        assertThat(root.resolve("etc/aios/aios.yaml")).isRegularFile();
        var unit = Files.readString(root.resolve("lib/systemd/system/aios.service"));
        assertThat(unit).contains("User=aios", "/var/lib/aios", "AIOS_CONFIG=/etc/aios/aios.yaml");

        if (onPath("systemd-analyze")) {
            // Checked where the package would put the launcher; here it lies under the scratch root.
            var checked = dir.resolve("aios.service");
            Files.writeString(checked, unit.replace("/opt/aios/", root.resolve("opt/aios") + "/"));
            var verify = run(List.of("systemd-analyze", "verify", checked.toString()));
            assertThat(verify).doesNotContain("aios.service:");
        }
        assertThatAiosStartsAndAnswers(
                root.resolve("opt/aios/bin/aios"), fromTheCacheMadeAtBuildTime(root.resolve("opt/aios")));
    }

    /**
     * From Java 25 on, the distribution holds an ahead-of-time cache made at build time, which must
     * hold wherever the files land: with {@code AOTMode=on} the JVM refuses to start without it.
     */
    private static Map<String, String> fromTheCacheMadeAtBuildTime(Path home) throws IOException {
        if (Runtime.version().feature() < 25) {
            return Map.of();
        }
        assertThat(home.resolve("lib/aios.aot")).isRegularFile();
        assertThat(Files.size(home.resolve("lib/aios.aot"))).isPositive();
        return Map.of("AIOS_JAVA_OPTS", "-XX:AOTMode=on");
    }

    private void assertThatAiosStartsAndAnswers(Path launcher, Map<String, String> environment) throws Exception {
        var bin = Files.createDirectories(dir.resolve("path"));
        for (var tool : List.of("readlink", "dirname")) {
            if (!Files.exists(bin.resolve(tool))) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
            }
        }
        var log = dir.resolve("aios.log");
        var builder = new ProcessBuilder(
                        launcher.toString(), "up", "--data", dir.resolve("data").toString(), "--port", "0")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", bin.toString(), "HOME", dir.toString()));
        builder.environment().putAll(environment);
        var aios = builder.start();
        try {
            var port = UpLog.port(log, "the unpacked aios");
            var health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");

            // A real run of the bundled demo: it needs what only a run uses (schemas, CEL, the journal).
            var http = HttpClient.newHttpClient();
            var token = Files.readString(dir.resolve("data/admin.token")).strip();
            var accepted = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/events"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"type": "lead.received", "subject": "acme", "data": {"name": "Ada Lovelace",
                                     "email": "ada@acme.test", "company": "Acme", "budget": 4000,
                                     "need": "brand refresh", "plan": "standard"}}"""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            var runId = accepted.body().replaceAll("(?s).*\"started\":\\[\"([^\"]+)\".*", "$1");
            var status = Poll.until(
                    "the demo run to reach the operator or finish",
                    () -> {
                        try {
                            var run = http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://localhost:" + port + "/api/runs/" + runId))
                                            .header("Authorization", "Bearer " + token)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            var matcher = STATUS.matcher(run.body());
                            return matcher.find() ? matcher.group(1) : "";
                        } catch (IOException | InterruptedException e) {
                            return "";
                        }
                    },
                    found -> found.equals("needs-attention")
                            || found.equals("waiting")
                            || found.equals("completed")
                            || found.equals("failed"),
                    Duration.ofMinutes(2),
                    () -> UpLog.read(log));
            assertThat(status).as(UpLog.read(log)).isNotEqualTo("failed");

            // A bulk import through the same launcher (a client command: no cache of its own), embedded
            // by the in-process model: ONNX Runtime and the tokenizer load on the trimmed runtime too.
            var notes = dir.resolve("notes.jsonl");
            Files.writeString(notes, """
                    {"kind": "note", "subject": "acme", "text": "Acme still owes us the second half of the logo fee."}
                    {"kind": "note", "subject": "acme", "text": "Ada asked for the brand refresh to start in spring."}
                    """);
            var imported = new ProcessBuilder(
                            launcher.toString(),
                            "memory",
                            "import",
                            notes.toString(),
                            "--server",
                            "http://localhost:" + port,
                            "--token",
                            token)
                    .directory(dir.toFile())
                    .redirectErrorStream(true);
            imported.environment().clear();
            imported.environment().putAll(Map.of("PATH", bin.toString(), "HOME", dir.toString()));
            var importer = imported.start();
            var printed = new String(importer.getInputStream().readAllBytes());
            assertThat(importer.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(importer.exitValue()).as(printed).isZero();
            assertThat(printed).contains("imported 2 items");
            var embedding = Poll.until(
                    "the imported notes to be embedded",
                    () -> {
                        try {
                            var stats = http.send(
                                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/memory/stats"))
                                            .header("Authorization", "Bearer " + token)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            return Json.mapper().readTree(stats.body()).path("embedding");
                        } catch (IOException | InterruptedException e) {
                            return Json.mapper().createObjectNode();
                        }
                    },
                    found -> found.path("embedded").asLong() >= 2
                            || !found.path("lastFailure").asText("").isEmpty(),
                    Duration.ofMinutes(2),
                    () -> UpLog.read(log));
            assertThat(embedding.path("lastFailure").asText(""))
                    .as(UpLog.read(log))
                    .isEmpty();
        } finally {
            aios.destroy();
            assertThat(aios.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(UpLog.read(log)).contains("stopped");
    }

    private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z-]+)\"");

    /** What the regular files under {@code home} hold, in bytes. */
    private static long bytesUnder(Path home) throws IOException {
        try (var files = Files.walk(home)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        }
    }

    private static boolean onPath(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool));
    }

    private String run(List<String> command) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }
}
