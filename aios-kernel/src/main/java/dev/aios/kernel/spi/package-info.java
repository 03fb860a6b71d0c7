/**
 * Extension points of the kernel: how memory, models and connectors plug in without the kernel
 * depending on them.
 */
package dev.aios.kernel.spi;
