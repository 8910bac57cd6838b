/**
 * Micrometer observations of each send, with a convention applications may replace. Depends on
 * smtp-core's public API and Micrometer's observation API.
 */
package io.github.smtpkit.spring.observation;
