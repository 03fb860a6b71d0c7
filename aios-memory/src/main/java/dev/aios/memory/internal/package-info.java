/**
 * How memory works inside: its tables, the Lucene index kept derived from them, embedding, recall,
 * retention and forgetting. Not an API: use {@link dev.aios.memory.MemoryExtension}.
 */
package dev.aios.memory.internal;
