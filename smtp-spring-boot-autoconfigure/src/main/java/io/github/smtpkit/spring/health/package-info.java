/**
 * The {@code smtp} health indicator: UP from the pool's evidence of a recent answer
 * ({@code SmtpClient.lastReplyTime()}), else from NOOP asked without waiting behind sends
 * ({@code SmtpClient.tryPing}). Depends on smtp-core's public API and Spring Boot's health module.
 */
package io.github.smtpkit.spring.health;
