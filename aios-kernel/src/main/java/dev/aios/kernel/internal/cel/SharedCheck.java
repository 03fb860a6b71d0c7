package dev.aios.kernel.internal.cel;

import com.google.common.base.Optional;
import dev.cel.checker.Env;
import dev.cel.checker.ExprChecker;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelContainer;
import dev.cel.common.internal.Errors;
import dev.cel.common.types.CelType;
import dev.cel.compiler.CelCompiler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Type-checks parsed expressions in one checking environment, built once for a compiler, instead of
 * the one CEL's checker builds afresh for every expression: its standard declarations and the
 * extensions' overloads, each added against the others, were half the time of a compile and the
 * longest part of a start's wait for its playbooks.
 *
 * <p>The environment is the checker's own (its private {@code getEnv}, with its container and
 * expected result type), reached by reflection: where that is not possible (a CEL version laid out
 * otherwise), or the environment is in use on another thread, {@link #check} answers {@code null}
 * and the caller checks as CEL does. A check that reports an error also answers {@code null}, so
 * that the caller's own check says what is wrong with the positions of that expression, and the
 * environment, which holds the errors it was made with, is built again for the next.
 */
final class SharedCheck {
    private static final Access ACCESS = Access.find();

    private final Object checker;
    private final ReentrantLock lock = new ReentrantLock();
    private Env env;
    private CelContainer container;
    private Optional<CelType> resultType;
    private boolean unusable;

    /** A shared check for the expressions of {@code compiler}. */
    SharedCheck(CelCompiler compiler) {
        this.checker = ACCESS == null ? null : ACCESS.checkerOf(compiler);
    }

    /**
     * The checked form of {@code parsed}, or {@code null} when the caller is to check it as CEL does
     * (it has an error, or this cannot check it now).
     */
    CelAbstractSyntaxTree check(CelAbstractSyntaxTree parsed) {
        if (checker == null || !lock.tryLock()) {
            return null;
        }
        try {
            if (unusable) {
                return null;
            }
            if (env == null && !prepare()) {
                unusable = true;
                return null;
            }
            int depth = env.scopeDepth();
            var checked = ExprChecker.typecheck(env, container, parsed, resultType);
            if (env.getErrorContext().getErrorCount() > 0 || env.scopeDepth() != depth) {
                env = null;
                return null;
            }
            return checked;
        } catch (RuntimeException e) {
            env = null;
            return null;
        } finally {
            lock.unlock();
        }
    }

    private boolean prepare() {
        try {
            var made = ACCESS.env(checker, new Errors("<input>", ""));
            if (made.getErrorContext().getErrorCount() > 0) {
                return false;
            }
            container = ACCESS.container(checker);
            resultType = ACCESS.resultType(checker);
            env = made;
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    /** The private members of CEL's compiler and legacy checker this reads. */
    private record Access(
            MethodHandle compilerChecker,
            Class<?> checkerClass,
            MethodHandle getEnv,
            MethodHandle container,
            MethodHandle resultType) {

        static Access find() {
            try {
                var compilerClass = Class.forName("dev.cel.compiler.CelCompilerImpl");
                var checkerClass = Class.forName("dev.cel.checker.CelCheckerLegacyImpl");
                var compilers = MethodHandles.privateLookupIn(compilerClass, MethodHandles.lookup());
                var checkers = MethodHandles.privateLookupIn(checkerClass, MethodHandles.lookup());
                var getEnv = checkerClass.getDeclaredMethod("getEnv", Errors.class);
                return new Access(
                        compilers.findGetter(compilerClass, "checker", dev.cel.checker.CelChecker.class),
                        checkerClass,
                        checkers.unreflect(getEnv),
                        checkers.findGetter(checkerClass, "container", CelContainer.class),
                        checkers.findGetter(checkerClass, "expectedResultType", Optional.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        Object checkerOf(CelCompiler compiler) {
            try {
                var found = compilerChecker.invoke(compiler);
                return checkerClass.isInstance(found) ? found : null;
            } catch (Throwable e) {
                return null;
            }
        }

        Env env(Object checker, Errors errors) throws Throwable {
            return (Env) getEnv.invoke(checker, errors);
        }

        CelContainer container(Object checker) throws Throwable {
            return (CelContainer) container.invoke(checker);
        }

        @SuppressWarnings("unchecked")
        Optional<CelType> resultType(Object checker) throws Throwable {
            return (Optional<CelType>) resultType.invoke(checker);
        }
    }
}
