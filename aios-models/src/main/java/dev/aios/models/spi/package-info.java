/** Extension points of the model gateway: {@link dev.aios.models.spi.PromptGuard} screens prompts. */
package dev.aios.models.spi;
