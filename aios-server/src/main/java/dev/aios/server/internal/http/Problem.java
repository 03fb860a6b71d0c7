package dev.aios.server.internal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.aios.kernel.AiosException;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.StorageException;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * An RFC 9457 problem document, the body of every error answer.
 *
 * @param type {@code /problems/<code>} for the kernel's errors, {@code about:blank} otherwise
 * @param title the HTTP status's reason phrase
 * @param status the HTTP status
 * @param detail what went wrong and what to do, for the user
 * @param problems for a refused playbook, each thing wrong with it; empty otherwise (and left out)
 */
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PlaybookException.Problem> problems) {

    /** The media type of a problem document. */
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        problems = List.copyOf(problems);
    }

    /** A problem without a specific type. */
    public static Problem of(int status, String detail) {
        return new Problem("about:blank", HttpStatus.forStatus(status).getMessage(), status, detail, List.of());
    }

    /** The problem that answers a kernel error. */
    public static Problem of(AiosException error) {
        int status = statusOf(error);
        var problems =
                error instanceof PlaybookException refused ? refused.problems() : List.<PlaybookException.Problem>of();
        return new Problem(
                "/problems/" + error.code(),
                HttpStatus.forStatus(status).getMessage(),
                status,
                error.getMessage(),
                problems);
    }

    private static int statusOf(AiosException error) {
        return switch (error) {
            case NotFoundException e -> 404;
            case ConflictException e -> 409;
            case InvalidInputException e -> 400;
            case PlaybookException e -> 400;
            case StorageException e -> 503;
        };
    }
}
