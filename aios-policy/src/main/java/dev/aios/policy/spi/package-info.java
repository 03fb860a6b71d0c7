/** What the policy module needs from the rest of aios: knowledge records, notification channels. */
package dev.aios.policy.spi;
