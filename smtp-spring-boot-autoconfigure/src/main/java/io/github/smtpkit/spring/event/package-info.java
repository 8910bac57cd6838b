/**
 * smtp-core's listener events as Spring {@code ApplicationEvent}s: {@link
 * io.github.smtpkit.spring.event.SmtpEventPublisher} turns each {@code SmtpEventListener} call
 * into an {@link io.github.smtpkit.spring.event.SmtpEvent} subtype. No credential, address or
 * content is carried.
 *
 * <p>Depends on smtp-core's public API and on {@code io.github.smtpkit.spring}; applications may
 * listen for these events.
 *
 * <p>Null-marked (JSpecify): a parameter, return value or field may be {@code null} only where
 * its type says {@code @Nullable}.
 */
@NullMarked
package io.github.smtpkit.spring.event;

import org.jspecify.annotations.NullMarked;
