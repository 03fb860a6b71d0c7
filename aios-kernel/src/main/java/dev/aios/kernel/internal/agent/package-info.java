/**
 * Agents bound to their contracts: JSON Schemas derived from the contracts' records, validation of
 * both sides of every call, and the registry of agents by name.
 */
package dev.aios.kernel.internal.agent;
