package dev.aios.kernel.spi;

import dev.aios.api.AgentDeclaration;
import dev.aios.api.JsonAgent;
import dev.aios.api.PlaybookRef;

/** Builds the agents of one kind that playbooks declare, e.g. prompt agents. */
public interface AgentFactory {

    /** The kind this factory builds, as written in the playbook. */
    String kind();

    /**
     * Builds a declared agent.
     *
     * @throws IllegalArgumentException saying what is wrong with the declaration; the playbook is
     *     then refused with this message
     */
    JsonAgent create(AgentDeclaration declaration, PlaybookRef playbook);
}
