package dev.aios.kernel.spi;

/**
 * A module that plugs into the kernel, such as memory or the model gateway. It is attached while
 * the kernel is built, before playbooks load, and closed when the kernel closes.
 */
public interface Extension extends AutoCloseable {

    /**
     * Called first while the kernel is built, before its store opens, with its data directory: work
     * that needs neither (opening files of the extension's own) may begin here, on a thread of the
     * extension's, for {@link #attach} to take up. If the build fails before {@link #attach}, {@link
     * #close} is called.
     */
    default void prepare(java.nio.file.Path dataDirectory) {}

    /** Registers what this extension offers and takes what it needs from the kernel. */
    void attach(ExtensionHost host);

    /**
     * Called once the kernel has started taking work, after the server in front of it answers: work
     * of the extension's own that needs no request to begin (catching up with what the previous
     * process left, copying in the background) begins here, so that it does not hold up a start. A
     * kernel that is built and never started does not call it.
     */
    default void start() {}

    /** Releases what the extension holds; the kernel's storage is still open. */
    @Override
    default void close() {}
}
