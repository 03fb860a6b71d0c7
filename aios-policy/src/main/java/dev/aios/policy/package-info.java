/**
 * Central policy and graduated autonomy: gates, segments, flags, privacy, limits and escalation
 * across playbooks, learning from the operator's answers, autonomy suggestions and anomaly alerts.
 * Plug it into a kernel with {@link dev.aios.policy.PolicyExtension}.
 */
package dev.aios.policy;
