package dev.aios.server.internal.http;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.Proxy;

/**
 * A response nobody reads, for a request aios makes of a servlet on its own account: it keeps the
 * status and drops everything else.
 */
final class Discarded {
    private volatile int status = 200;

    /** The status the servlet answered (200 unless it set another). */
    int status() {
        return status;
    }

    /** A response that accepts everything written to it and keeps only the status. */
    HttpServletResponse response() {
        var writer = new PrintWriter(Writer.nullWriter());
        var stream = new ServletOutputStream() {
            @Override
            public void write(int b) {}

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {}
        };
        return (HttpServletResponse) Proxy.newProxyInstance(
                Discarded.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getWriter" -> writer;
                    case "getOutputStream" -> stream;
                    case "setStatus", "sendError" -> {
                        status = (Integer) args[0];
                        yield null;
                    }
                    case "getStatus" -> status;
                    case "getCharacterEncoding" -> "UTF-8";
                    case "toString" -> "a discarded response";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> zero(method.getReturnType());
                });
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
