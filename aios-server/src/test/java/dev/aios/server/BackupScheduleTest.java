package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.kernel.Admin;
import dev.aios.server.internal.backup.BackupArchive;
import dev.aios.server.internal.backup.BackupSchedule;
import dev.aios.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled backups ({@code backup:} in aios.yaml) while aios runs, keeping only the newest few. */
class BackupScheduleTest {
    @TempDir
    Path dir;

    private static BackupSchedule.Settings settings(String yaml) throws Exception {
        return BackupSchedule.Settings.of(new YAMLMapper().readTree(yaml)).orElseThrow();
    }

    @Test
    void onlyTheNewestArchivesAreKeptAndEachOneRestores() throws Exception {
        var now = new AtomicReference<>(Instant.parse("2026-05-01T02:00:00Z"));
        InstantSource clock = now::get;
        var backups = dir.resolve("backups");
        var data = dir.resolve("data");
        try (var aios = TestAios.start(data);
                var schedule = new BackupSchedule(
                        data, Optional.empty(), settings("every: 1d\nto: " + backups + "\nkeep: 2\n"), "test", clock)) {
            var first = aios.ping("before the first backup");
            schedule.backUpNow();
            now.set(now.get().plus(Duration.ofDays(1)));
            schedule.backUpNow();
            now.set(now.get().plus(Duration.ofDays(1)));
            var last = aios.ping("before the last backup");
            schedule.backUpNow();

            assertThat(schedule.archives())
                    .extracting(archive -> archive.getFileName().toString())
                    .containsExactly("aios-20260502T020000Z.zip", "aios-20260503T020000Z.zip");
            var restored = dir.resolve("restored");
            BackupArchive.restore(
                    schedule.archives().getLast(), restored, BackupArchive.KeySource.none(), (done, total) -> {});
            var report = Admin.verify(restored);
            assertThat(report.ok()).as(report.problems().toString()).isTrue();
            assertThat(report.runs()).as("the runs of %s", List.of(first, last)).isEqualTo(2);
        }
    }

    @Test
    void theScheduleTakesBackupsByItselfWhileAiosRuns() throws Exception {
        var backups = dir.resolve("backups");
        var data = dir.resolve("data");
        try (var aios = TestAios.start(data);
                var schedule = new BackupSchedule(
                                data,
                                Optional.empty(),
                                settings("every: 1s\nto: " + backups + "\nkeep: 3\n"),
                                "test",
                                InstantSource.system())
                        .start()) {
            aios.ping("one");
            Poll.until(
                    "a scheduled backup to appear",
                    schedule::archives,
                    list -> !list.isEmpty(),
                    Duration.ofSeconds(30));
        }
        assertThat(Files.list(backups).toList())
                .allMatch(file -> file.getFileName().toString().endsWith(".zip"));
    }

    @Test
    void aBackupSectionThatIsNotRightSaysWhat() throws Exception {
        assertThatThrownBy(() -> settings("every: 1d\n")).hasMessageContaining("backup.to is missing");
        assertThatThrownBy(() -> settings("every: 1d\nto: b\nkeep: 0\n")).hasMessageContaining("backup.keep must be 1");
        assertThatThrownBy(() -> settings("every: 10ms\nto: b\n")).hasMessageContaining("backup.every must be");
        assertThatThrownBy(() -> settings("every: soon\nto: b\n")).hasMessageContaining("backup.every");
        assertThatThrownBy(() -> settings("to: b\nmasterKey: no\n"))
                .hasMessageContaining("backup.masterKey must be included or separate");
        assertThat(settings("to: b\n").withMasterKey()).isTrue();
        assertThat(settings("to: b\nmasterKey: separate\n").withMasterKey()).isFalse();
    }
}
