/**
 * Micrometer observations of each message a client sends ({@code mail.send}, a client span to the
 * server), from the client's listener, with a convention applications may replace and the
 * documentation of its names and keys. Depends on smtp-core's public API,
 * {@code io.github.smtpkit.spring} and Micrometer's observation API.
 */
package io.github.smtpkit.spring.observation;
