/**
 * The send benchmark that {@code benchmarks/run.sh} drives: smtpkit's client beside Angus Mail
 * and Spring's {@code JavaMailSenderImpl}, and the report it writes. Depends on smtp-core's public
 * API; nothing depends on it. Built only with {@code -Pbenchmarks}.
 */
package io.github.smtpkit.benchmarks;
