package dev.aios.memory;

/**
 * A search was asked for while memory's index is being rebuilt from its tables: nothing was searched.
 * The message says how far the rebuild got; searching again once it is ready finds everything stored.
 */
public final class MemoryRebuildingException extends IllegalStateException {
    private final transient IndexState state;

    public MemoryRebuildingException(IndexState state) {
        super(
                state.phase() == IndexState.Phase.FAILED
                        ? "memory's index could not be rebuilt (" + state.reason() + "), so nothing is searched;"
                                + " see the server log, then run aios memory reindex or restart aios"
                        : "memory's index is being rebuilt (" + state.reason() + "): " + state.done() + " of "
                                + state.total() + " chunks so far, so searches wait until it is ready; GET /health"
                                + " shows how far it got. Try again shortly");
        this.state = state;
    }

    /** The index's state when the search was refused. */
    public IndexState state() {
        return state;
    }
}
