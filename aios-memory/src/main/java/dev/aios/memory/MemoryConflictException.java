package dev.aios.memory;

/**
 * An item was stored again under an id that already holds different content: nothing changed.
 * Storing the same content under the same id again is not a conflict (it answers the stored item).
 */
public final class MemoryConflictException extends RuntimeException {
    public MemoryConflictException(String message) {
        super(message);
    }
}
