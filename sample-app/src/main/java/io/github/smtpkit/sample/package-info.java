/**
 * The sample Spring Boot application: a web form and REST endpoint that send through the
 * starter's {@code MailSender}, to an embedded mail server for trying it without installing one.
 * Depends on the starter; nothing depends on it.
 */
package io.github.smtpkit.sample;
