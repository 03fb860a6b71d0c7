package dev.aios.kernel.internal.playbook;

import java.util.regex.Pattern;

/**
 * Where a step runs within a run: its path. A top-level step's path is its id; a step inside a
 * parallel branch is {@code <parallel>/<branch>/<id>}, inside a forEach iteration {@code
 * <forEach>[<index>]/<id>}, a conversation turn {@code <conversation>[<turn>]/<participant>}, and
 * so on when they nest, e.g. {@code items[3]/checks/credit/score}. The path, with the step's
 * iteration, identifies a step's work item and its idempotency key. Removing the indices gives the
 * static path under which the playbook holds the compiled step.
 */
public final class StepPaths {
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");

    private StepPaths() {}

    /** The path without iteration indices: where the compiled step is found. */
    public static String staticPath(String path) {
        return path.indexOf('[') < 0 ? path : INDEX.matcher(path).replaceAll("");
    }

    /** The scope a step at {@code path} runs in: everything before its id, or "" at the top. */
    public static String scopeOf(String path) {
        int cut = path.lastIndexOf('/');
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** The step id at the end of {@code path}. */
    public static String idOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The path of step {@code id} in {@code scope}. */
    public static String child(String scope, String id) {
        return scope.isEmpty() ? id : scope + "/" + id;
    }

    /** The scope of branch {@code branch} of the parallel step at {@code block}. */
    public static String branch(String block, String branch) {
        return block + "/" + branch;
    }

    /** The scope of iteration {@code index} of the forEach (or turn of the conversation) at {@code block}. */
    public static String iteration(String block, int index) {
        return block + "[" + index + "]";
    }

    /** Whether {@code path} is {@code scope} itself or lies inside it. */
    public static boolean within(String path, String scope) {
        return scope.isEmpty()
                || path.equals(scope)
                || (path.startsWith(scope)
                        && (path.charAt(scope.length()) == '/' || path.charAt(scope.length()) == '['));
    }
}
