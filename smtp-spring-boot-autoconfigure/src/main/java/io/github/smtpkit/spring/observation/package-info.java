/**
 * Micrometer observations of each message a client sends ({@code mail.send}, a client span to the
 * server), from the client's listener, with a convention applications may replace and the
 * documentation of its names and keys. Depends on smtp-core's public API,
 * {@code io.github.smtpkit.spring} and Micrometer's observation API.
 *
 * <p>Null-marked (JSpecify): a parameter, return value or field may be {@code null} only where
 * its type says {@code @Nullable}.
 */
@NullMarked
package io.github.smtpkit.spring.observation;

import org.jspecify.annotations.NullMarked;
