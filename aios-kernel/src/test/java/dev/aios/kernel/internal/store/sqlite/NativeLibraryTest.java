package dev.aios.kernel.internal.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite driver's native library, kept once in the user's cache instead of extracted at every start. */
class NativeLibraryTest {
    @TempDir
    Path cache;

    private static byte[] fromTheDriversJar() throws Exception {
        var resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        try (var in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void theLibraryIsKeptOnceUnderTheDriversOwnNameAndUsedAgain() throws Exception {
        var kept = NativeLibrary.keep(cache.resolve("native")).orElseThrow();
        assertThat(kept.getFileName().toString()).isEqualTo(org.sqlite.util.LibraryLoaderUtil.getNativeLibName());
        assertThat(Files.readAllBytes(kept)).isEqualTo(fromTheDriversJar());
        var written = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(kept, written);

        assertThat(NativeLibrary.keep(cache.resolve("native"))).contains(kept);
        assertThat(Files.getLastModifiedTime(kept)).isEqualTo(written);
        try (var files = Files.list(kept.getParent())) {
            assertThat(files).containsExactly(kept);
        }
    }

    @Test
    void aDamagedCopyIsWrittenAgainBeforeItIsUsed() throws Exception {
        var kept = NativeLibrary.keep(cache.resolve("native")).orElseThrow();
        var damaged = Files.readAllBytes(kept);
        damaged[damaged.length / 2] ^= 1;
        Files.write(kept, damaged);

        assertThat(NativeLibrary.keep(cache.resolve("native"))).contains(kept);
        assertThat(Files.readAllBytes(kept)).isEqualTo(fromTheDriversJar());
    }

    @Test
    void theCacheFollowsXdgCacheHomeElseTheHomeFolder() {
        assertThat(NativeLibrary.cacheFolder(Map.of("XDG_CACHE_HOME", "/var/cache/me")))
                .contains(Path.of("/var/cache/me/aios/native"));
        assertThat(NativeLibrary.cacheFolder(Map.of()))
                .contains(Path.of(System.getProperty("user.home"), ".cache", "aios", "native"));
    }
}
