package dev.aios.kernel.spi;

/**
 * A module that plugs into the kernel, such as memory or the model gateway. It is attached while
 * the kernel is built, before playbooks load, and closed when the kernel closes.
 */
public interface Extension extends AutoCloseable {

    /** Registers what this extension offers and takes what it needs from the kernel. */
    void attach(ExtensionHost host);

    /** Releases what the extension holds; the kernel's storage is still open. */
    @Override
    default void close() {}
}
