/**
 * Connectors and triggers: signed webhooks in, schedules, batch windows, mail, HTTP, outgoing
 * webhooks, named secrets and MCP. Each is a thin translation to and from the kernel's events,
 * effects and receipts; business logic stays in playbooks and agents.
 */
package dev.aios.connectors;
