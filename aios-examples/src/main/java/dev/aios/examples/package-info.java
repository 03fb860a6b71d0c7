/**
 * The design studio: a freelance designer's subscription service from lead to invoice, the demo
 * that {@code aios up} loads. The {@code design-subscription} playbook qualifies a lead, opens the
 * project, waits out the design sprint, awaits the client's acceptance (reminding them when the
 * review window passes), invoices and drafts a follow-up. Its agents are deterministic: no model.
 */
package dev.aios.examples;
