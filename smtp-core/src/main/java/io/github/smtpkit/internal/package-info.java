/**
 * smtp-core's implementation, not API: nothing here is supported for use outside smtp-core, and
 * it may change in any release. The layers, each using only those below it:
 * <ul>
 * <li>the session's parts over the wire: {@link io.github.smtpkit.internal.Greeting} says HELO
 * or EHLO and keeps what the server advertised;
 * {@link io.github.smtpkit.internal.TransactionEngine}
 * runs one mail transaction (MAIL, RCPT, DATA or BDAT, the replies after the message for SMTP and
 * LMTP, one command at a time or pipelined; {@code TransactionPreparer} checks a transaction and
 * makes its lines before anything is sent) and, with {@code TransactionBatch}, the pipelined
 * batch; {@code MessageWriter}, {@link io.github.smtpkit.internal.DotStuffingOutputStream} and
 * {@code BdatOutputStream} put the message on the wire;
 * {@link io.github.smtpkit.internal.AuthExchange} runs AUTH and chooses login's mechanism;
 * {@link io.github.smtpkit.internal.SessionConnector} opens the connection (where to, implicit
 * TLS, the greeting and its port-465 rule), hands it to the wire, and upgrades it after
 * STARTTLS;</li>
 * <li>the wire: {@link io.github.smtpkit.internal.SmtpWire} writes commands (debug output,
 * redaction, listener calls) and reads whole replies (bounded) through
 * {@link io.github.smtpkit.internal.ReplyReader};</li>
 * <li>the connection: {@link io.github.smtpkit.internal.SmtpConnection} (socket, TLS, streams,
 * timeouts), {@link io.github.smtpkit.internal.WriteTimeoutOutputStream},
 * {@link io.github.smtpkit.internal.UnixSocketStreams};</li>
 * <li>beside them: the session pool ({@link io.github.smtpkit.internal.SessionPool}, on
 * commons-pool2), the queue of {@code SmtpClient.sendAsync}
 * ({@link io.github.smtpkit.internal.AsyncSendQueue}),
 * {@link io.github.smtpkit.internal.SessionSettings} (what both public builders carry, set
 * through the public {@code SessionSettingsBuilder}), and small helpers for addresses, command
 * lines, message text, MIME envelopes (and {@code StreamProviderLookup}, which spares
 * Jakarta Mail its class-path scan per part written), durations, time-outs, debug output,
 * listener calls and REQUIRETLS's rule ({@link io.github.smtpkit.internal.RequireTls}).</li>
 * </ul>
 *
 * <p>Only {@code io.github.smtpkit} (and its tests) may depend on this package. It depends on the
 * JDK, Jakarta Mail, commons-pool2 and the public types of {@code io.github.smtpkit} it works
 * with (replies, exceptions, envelopes, the listener, the default TLS context); what those keep
 * package-private reaches it through {@link io.github.smtpkit.internal.TransactionEngine.Session}
 * and {@link io.github.smtpkit.internal.SessionConnector.HandshakeFailure}. It never imports
 * Spring.
 */
package io.github.smtpkit.internal;
