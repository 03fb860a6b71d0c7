/** Extension points of memory: the embedding model and the summarizer used by compaction. */
package dev.aios.memory.spi;
