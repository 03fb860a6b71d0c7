/** Memory for agents and the operator: episodic, semantic and knowledge tiers with hybrid recall. */
package dev.aios.memory;
