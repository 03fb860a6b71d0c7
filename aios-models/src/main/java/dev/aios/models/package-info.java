/**
 * The model gateway: {@link dev.aios.models.ModelsExtension} plugs providers (OpenAI-compatible and
 * Anthropic, through LangChain4j), model classes, prompt agents, the response cache, the cost ledger
 * and budgets into a kernel; {@link dev.aios.models.ModelSettings} is its configuration and {@link
 * dev.aios.models.CostReport} what it spent.
 */
package dev.aios.models;
