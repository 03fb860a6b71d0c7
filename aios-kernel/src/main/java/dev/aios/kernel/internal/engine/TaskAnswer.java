package dev.aios.kernel.internal.engine;

/** What the operator answers to a task. */
public enum TaskAnswer {
    APPROVE,
    REJECT,
    RETRY,
    SKIP,
    COMPENSATE
}
