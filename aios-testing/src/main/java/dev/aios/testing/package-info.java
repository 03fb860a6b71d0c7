/**
 * Test support for aios and for code built on it: {@link dev.aios.testing.ServerProcess} runs a real
 * server as a child JVM (to kill -9 and restart it), {@link dev.aios.testing.Http} talks JSON to it,
 * {@link dev.aios.testing.Poll} waits for a condition with a deadline instead of a fixed sleep, and
 * {@link dev.aios.testing.ScriptedModelServer} is a model provider speaking the OpenAI and Anthropic
 * wire formats from a script, and {@link dev.aios.testing.SecretServiceSession} is a private, headless
 * OS keyring (D-Bus session plus GNOME Keyring).
 */
package dev.aios.testing;
