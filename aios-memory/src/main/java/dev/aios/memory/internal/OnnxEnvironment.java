package dev.aios.memory.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's environment, kept alive until the process ends.
 *
 * <p>The runtime's Java binding releases its environment in a JVM shutdown hook of its own. Shutdown
 * hooks run side by side, so on SIGTERM that release could happen while aios's embedding thread was
 * still inside the runtime (loading the model or embedding a text), and the process died with a
 * SIGSEGV instead of stopping cleanly. The native environment is reference-counted: one more
 * reference, taken here and never given back, means the binding's release no longer frees it, and
 * the thread can finish its call while aios stops. The process ends right after, which frees it.
 */
final class OnnxEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEnvironment.class);

    private static boolean kept;

    private OnnxEnvironment() {}

    /** The runtime's environment, with the extra reference taken on first call. */
    static synchronized OrtEnvironment get() {
        var environment = OrtEnvironment.getEnvironment();
        if (!kept) {
            kept = keep();
        }
        return environment;
    }

    static boolean keep() {
        try {
            var api = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("ortApiHandle");
            api.setAccessible(true);
            var create = OrtEnvironment.class.getDeclaredMethod("createHandle", long.class, int.class, String.class);
            create.setAccessible(true);
            create.invoke(null, api.getLong(null), OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING.getValue(), "aios-kept");
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "could not keep ONNX Runtime's environment until exit ({}); stopping aios while it embeds"
                            + " may end the process with a crash report instead of cleanly",
                    e.toString());
            return true; // tried once; the binding changed, and trying again would not help
        }
    }

    /** Releases the environment as the binding's own shutdown hook does; for tests. */
    static void releaseAsTheShutdownHookWould() throws ReflectiveOperationException {
        var environment = OrtEnvironment.getEnvironment();
        var api = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("ortApiHandle");
        api.setAccessible(true);
        var handle = OrtEnvironment.class.getDeclaredField("nativeHandle");
        handle.setAccessible(true);
        var close = OrtEnvironment.class.getDeclaredMethod("close", long.class, long.class);
        close.setAccessible(true);
        close.invoke(null, api.getLong(null), handle.getLong(environment));
    }
}
