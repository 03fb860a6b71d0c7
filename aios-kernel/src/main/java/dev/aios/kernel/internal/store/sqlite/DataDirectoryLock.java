package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.ConflictException;
import dev.aios.kernel.internal.store.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes sure one process at a time owns a data directory: an OS file lock on {@code aios.lock},
 * released by the OS when the process dies, even by kill -9.
 */
public final class DataDirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or explains who holds it. */
    public static DataDirectoryLock acquire(Path directory) {
        Path file = directory.resolve("aios.lock");
        try {
            PrivateFiles.directory(directory);
            PrivateFiles.file(file);
            var channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new ConflictException("the data directory " + directory + " is in use by another aios process"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + "; stop it first or use another --data directory");
            }
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the data directory " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
