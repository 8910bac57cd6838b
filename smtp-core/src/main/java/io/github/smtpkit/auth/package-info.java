/**
 * SMTP AUTH (RFC 4954) mechanisms: the {@link io.github.smtpkit.auth.AuthMechanism} SPI, the
 * {@link io.github.smtpkit.auth.SmtpAuthenticator} that answers a server's challenges, and the
 * built-in CRAM-MD5, PLAIN and LOGIN, as smtplib's {@code auth_*} methods.
 *
 * <p>Public API, null-marked. It depends only on the JDK (and JSpecify's annotations); the
 * exchange itself (the AUTH command, challenges, redaction) is run by {@code SmtpSession} through
 * {@code internal.AuthExchange}.
 */
@NullMarked
package io.github.smtpkit.auth;

import org.jspecify.annotations.NullMarked;
