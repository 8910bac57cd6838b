/**
 * The {@code smtp} health indicator, which asks each pool's server with NOOP through
 * {@code SmtpClient.ping}. Depends on smtp-core's public API and Spring Boot's health module.
 */
package io.github.smtpkit.spring.health;
