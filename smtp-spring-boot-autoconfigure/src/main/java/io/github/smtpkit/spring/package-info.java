/**
 * The Spring Boot auto-configuration: {@code SmtpProperties} ({@code smtp.*}) become one
 * {@code SmtpClient} per pool and a {@code MailSender} bean ({@link
 * io.github.smtpkit.spring.SmtpMailSender}, a drop-in for {@code JavaMailSenderImpl}), with the
 * auto-configurations that wire them, the {@code spring.mail.*} migration and the failure
 * mapping to Spring's {@code MailException}s.
 *
 * <p>It depends on smtp-core's public API (never on {@code io.github.smtpkit.internal}) and on
 * Spring Boot; its sub-packages ({@code event}, {@code health}, {@code metrics},
 * {@code observation}) may depend on it. smtp-core never depends on it.
 *
 * <p>Null-marked (JSpecify): a parameter, return value or field may be {@code null} only where
 * its type says {@code @Nullable}; a configuration property without a default is.
 */
@NullMarked
package io.github.smtpkit.spring;

import org.jspecify.annotations.NullMarked;
