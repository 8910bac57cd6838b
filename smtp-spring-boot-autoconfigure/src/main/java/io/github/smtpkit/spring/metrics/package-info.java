/**
 * Micrometer metrics: command timers and pool timers and counters from the client's listener,
 * pool gauges from {@code SmtpClient.poolStats()}, every meter tagged {@code server}. Sends are
 * timed by the {@code mail.send} observation ({@code io.github.smtpkit.spring.observation}).
 * Depends on smtp-core's public API, {@code io.github.smtpkit.spring} and Micrometer.
 */
package io.github.smtpkit.spring.metrics;
