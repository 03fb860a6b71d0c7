/** The policy's rules, stores, learning and alerts; not for use outside this module. */
package dev.aios.policy.internal;
