package io.github.smtpkit.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import io.github.smtpkit.spring.event.SmtpConnectionEvent;
import io.github.smtpkit.spring.event.SmtpReplyEvent;
import io.github.smtpkit.spring.event.SmtpSendFinishedEvent;
import io.github.smtpkit.spring.event.SmtpTlsEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Per-command timings from smtpkit's audit events (Spring application events, on by default:
 * {@code smtp.events.enabled}): logs each at INFO and keeps the last {@value #KEPT} for the page.
 * The events carry no credential (AUTH payloads arrive redacted) and no message content.
 *
 * <p>The events are published on the sending thread, so this listener only formats a line and
 * appends to a small buffer.
 */
@Component
public class SmtpCommandLog {

	static final int KEPT = 50;

	private static final Log logger = LogFactory.getLog(SmtpCommandLog.class);

	private final Deque<Entry> entries = new ArrayDeque<>();

	/** A connection opened and the server greeted. */
	@EventListener
	void onConnection(SmtpConnectionEvent event) {
		if (event.getKind() == SmtpConnectionEvent.Kind.ESTABLISHED) {
			record(event.getServerName(), "CONNECT", event.getGreeting().code(),
					event.getEndpoint().protocol().name().toLowerCase(Locale.ROOT) + "://" + event.getEndpoint(),
					event.getDuration());
		}
		else if (event.getKind() == SmtpConnectionEvent.Kind.FAILED) {
			record(event.getServerName(), "CONNECT", null, "failed: " + event.getFailure(), event.getDuration());
		}
	}

	/** A TLS handshake finished. */
	@EventListener
	void onTls(SmtpTlsEvent event) {
		record(event.getServerName(), "TLS", null,
				event.isEstablished() ? event.getProtocol() + " " + event.getCipherSuite() : "failed: " + event.getFailure(),
				event.getDuration());
	}

	/** The server replied to a command: the command's round trip. */
	@EventListener
	void onReply(SmtpReplyEvent event) {
		record(event.getServerName(), event.getVerb(), event.getReply().code(), firstLine(event.getReply().message()),
				event.getDuration());
	}

	/** A send through the pool ended. */
	@EventListener
	void onSendFinished(SmtpSendFinishedEvent event) {
		record(event.getServerName(), "SEND", null,
				event.getOutcome().name().toLowerCase(Locale.ROOT) + ", " + event.getRecipients() + " recipient(s), "
						+ ((event.getMessageSize() >= 0) ? event.getMessageSize() + " bytes, " : "")
						+ event.getAttempts() + " attempt(s)",
				event.getDuration());
	}

	/** The most recent entries, newest first. */
	public synchronized List<Entry> recent() {
		return new ArrayList<>(this.entries);
	}

	private void record(String server, String command, Integer replyCode, String detail, Duration duration) {
		Double millis = (duration != null) ? duration.toNanos() / 1_000_000.0 : null;
		Entry entry = new Entry(Instant.now(), server, command, replyCode, detail, millis);
		if (logger.isInfoEnabled()) {
			logger.info("[" + server + "] " + command + ((replyCode != null) ? " -> " + replyCode : "")
					+ ((millis != null) ? String.format(Locale.ROOT, " in %.2f ms", millis) : "")
					+ ((detail != null && !detail.isEmpty()) ? " (" + detail + ")" : ""));
		}
		synchronized (this) {
			this.entries.addFirst(entry);
			while (this.entries.size() > KEPT) {
				this.entries.removeLast();
			}
		}
	}

	private static String firstLine(String message) {
		int newline = message.indexOf('\n');
		return (newline >= 0) ? message.substring(0, newline) + " ..." : message;
	}

	/**
	 * One timed step.
	 * @param time when it ended
	 * @param server {@code default} or the name under {@code smtp.servers}
	 * @param command the verb ({@code END-OF-DATA} for the reply after the message), or
	 * {@code CONNECT}, {@code TLS}, {@code SEND}
	 * @param replyCode the server's reply code, when there was one
	 * @param detail the reply's first line, the TLS protocol and cipher, or the send's outcome
	 * @param millis how long it took, or {@code null} when unknown
	 */
	public record Entry(Instant time, String server, String command, Integer replyCode, String detail, Double millis) {
	}

}
