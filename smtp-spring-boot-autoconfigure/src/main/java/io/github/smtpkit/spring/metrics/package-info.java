/**
 * Micrometer metrics: command timers and pool timers and counters from the client's listener,
 * pool gauges from {@code SmtpClient.poolStats()}, every meter tagged {@code server}. Sends are
 * timed by the {@code mail.send} observation ({@code io.github.smtpkit.spring.observation}).
 * Depends on smtp-core's public API, {@code io.github.smtpkit.spring} and Micrometer.
 *
 * <p>Null-marked (JSpecify): a parameter, return value or field may be {@code null} only where
 * its type says {@code @Nullable}.
 */
@NullMarked
package io.github.smtpkit.spring.metrics;

import org.jspecify.annotations.NullMarked;
