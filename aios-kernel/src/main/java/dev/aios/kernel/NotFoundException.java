package dev.aios.kernel;

/** A run, task, playbook or agent that does not exist. */
public final class NotFoundException extends AiosException {
    public NotFoundException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "not-found";
    }
}
