/**
 * SMTP AUTH (RFC 4954) mechanisms: the {@link io.github.smtpkit.auth.AuthMechanism} SPI, the
 * {@link io.github.smtpkit.auth.SmtpAuthenticator} that answers a server's challenges, the
 * {@link io.github.smtpkit.auth.AuthContext} a mechanism learns the connection from, and the
 * built-in mechanisms: SCRAM-SHA-256 and SCRAM-SHA-1 (with channel binding as {@code -PLUS}),
 * CRAM-MD5, PLAIN and LOGIN (smtplib's {@code auth_*} methods), and XOAUTH2 and OAUTHBEARER with
 * an {@link io.github.smtpkit.auth.OAuth2TokenSupplier}.
 *
 * <p>Public API, null-marked. It depends on the JDK, JSpecify's annotations and, inside the SCRAM
 * mechanism only, OnGres's SCRAM client (no type of it appears in a signature); the exchange
 * itself (the AUTH command, challenges, the retry, redaction) is run by {@code SmtpSession}
 * through {@code internal.AuthExchange}.
 */
@NullMarked
package io.github.smtpkit.auth;

import org.jspecify.annotations.NullMarked;
