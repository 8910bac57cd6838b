/**
 * The {@code smtp} health indicator: UP from the pool's evidence of a recent answer
 * ({@code SmtpClient.lastReplyTime()}), else from NOOP asked without waiting behind sends
 * ({@code SmtpClient.tryPing}). Depends on smtp-core's public API and Spring Boot's health module.
 *
 * <p>Null-marked (JSpecify): a parameter, return value or field may be {@code null} only where
 * its type says {@code @Nullable}.
 */
@NullMarked
package io.github.smtpkit.spring.health;

import org.jspecify.annotations.NullMarked;
