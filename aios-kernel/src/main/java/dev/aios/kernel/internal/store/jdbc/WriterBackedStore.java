package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.Store;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What every JDBC store answers from its {@link Writer}: whether a write unit is running, the
 * writer's health, its commit counts and checkpoints, and who hears of its commits.
 */
public abstract class WriterBackedStore implements Store {
    /** The store's single writer. */
    protected abstract Writer writer();

    @Override
    public boolean inWrite() {
        return writer().inUnit();
    }

    @Override
    public Optional<String> failing() {
        return writer().failing();
    }

    @Override
    public Commits commits() {
        return new Commits(writer().commits(), writer().units());
    }

    @Override
    public CompletableFuture<Boolean> purge() {
        return writer().checkpoint();
    }

    @Override
    public void onBroken(Consumer<String> action) {
        writer().onBroken(action);
    }

    @Override
    public Optional<String> broken() {
        return writer().broken();
    }

    @Override
    public void observeCommits(CommitObserver observer) {
        writer().observe(observer::committed);
    }
}
