/**
 * Micrometer metrics: command timers and send counters from the listener, pool gauges from
 * {@code SmtpClient.poolStats()}. Depends on smtp-core's public API, {@code
 * io.github.smtpkit.spring} and Micrometer.
 */
package io.github.smtpkit.spring.metrics;
