/**
 * smtpkit's public API: {@link io.github.smtpkit.SmtpSession}, the port of Python's smtplib
 * (one connection's dialogue, smtplib's methods in camelCase), and
 * {@link io.github.smtpkit.SmtpClient}, the pooled, thread-safe sender that applications call;
 * with what they take and give: {@link io.github.smtpkit.Envelope},
 * {@link io.github.smtpkit.MessageSource}, {@link io.github.smtpkit.SendResult},
 * {@link io.github.smtpkit.SmtpReply}, {@link io.github.smtpkit.EsmtpFeatures},
 * {@link io.github.smtpkit.SmtpEventListener} and the exception tree under
 * {@link io.github.smtpkit.SmtpException}.
 *
 * <p>Both classes are facades: the session keeps smtplib's methods and state and delegates to
 * the internal connector ({@code internal.SessionConnector}), wire ({@code internal.SmtpWire})
 * and transaction engine ({@code internal.TransactionEngine}); the client borrows sessions from its pool, drives their
 * engines and heals. Types here may call {@code io.github.smtpkit.internal}, but no public
 * signature names an internal type. This package depends on the JDK, Jakarta Mail, JSpecify's
 * annotations and the {@code auth}, {@code pool} and {@code internal} packages of smtp-core;
 * never on Spring. Anything may depend on it.
 *
 * <p>Null-marked (JSpecify), as are {@code auth} and {@code pool}: a parameter, return value or
 * field may be {@code null} only where its type says {@code @Nullable}.
 */
@NullMarked
package io.github.smtpkit;

import org.jspecify.annotations.NullMarked;
