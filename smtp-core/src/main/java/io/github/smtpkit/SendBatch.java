package io.github.smtpkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.smtpkit.internal.Listeners;
import org.jspecify.annotations.Nullable;

/**
 * The progress of one {@link SmtpClient} send or batch: each message's result once settled, and
 * its attempts; tells the listener each message's end as soon as it is known. Not thread-safe:
 * one caller's thread drives it.
 */
final class SendBatch {

	private final List<OutgoingMessage> messages;

	/** The messages as they go on the wire (DKIM-signed, say), where they differ from the caller's. */
	private final List<OutgoingMessage> onWire;

	private final @Nullable BatchResult[] results;

	final int[] attempts;

	/**
	 * The server each message went to, once it was handed to a session: with failover, maybe
	 * another host than the client's first; {@code null} while it was not.
	 */
	private final @Nullable SmtpEndpoint[] sentTo;

	private final long started = System.nanoTime();

	private final SmtpEndpoint endpoint;

	private final SmtpEventListener listener;

	/** Every message before this one is settled. */
	private int settledBefore;

	SendBatch(List<OutgoingMessage> messages, SmtpEndpoint endpoint, SmtpEventListener listener) {
		this.messages = messages;
		this.onWire = new ArrayList<>(messages);
		this.endpoint = endpoint;
		this.listener = listener;
		this.results = new BatchResult[messages.size()];
		this.attempts = new int[messages.size()];
		this.sentTo = new SmtpEndpoint[messages.size()];
		Arrays.fill(this.attempts, 1);
	}

	OutgoingMessage message(int index) {
		return this.messages.get(index);
	}

	int size() {
		return this.messages.size();
	}

	/** The message at {@code index} as it goes on the wire. */
	OutgoingMessage onWire(int index) {
		return this.onWire.get(index);
	}

	/** Sends this in place of the message at {@code index}; results still name the caller's. */
	void sendAs(int index, OutgoingMessage onWire) {
		this.onWire.set(index, onWire);
	}

	boolean hasUnsettled() {
		while (this.settledBefore < this.results.length && this.results[this.settledBefore] != null) {
			this.settledBefore++;
		}
		return this.settledBefore < this.results.length;
	}

	/** How many messages are still without a result. */
	int unsettledCount() {
		int count = 0;
		for (int index = this.settledBefore; index < this.results.length; index++) {
			if (this.results[index] == null) {
				count++;
			}
		}
		return count;
	}

	/**
	 * The first {@code limit} messages without a result, in order: a message settled early (a
	 * failed check, told before the one ahead of it) is never sent again.
	 */
	int[] unsettled(int limit) {
		int[] part = new int[Math.min(limit, this.results.length - this.settledBefore)];
		int count = 0;
		for (int index = this.settledBefore; index < this.results.length && count < part.length; index++) {
			if (this.results[index] == null) {
				part[count++] = index;
			}
		}
		return (count == part.length) ? part : Arrays.copyOf(part, count);
	}

	List<OutgoingMessage> messagesAt(int[] part) {
		if (part.length == this.messages.size()) {
			// All of them, in order: a single send's one message, or a batch's first part.
			return this.onWire;
		}
		List<OutgoingMessage> selected = new ArrayList<>(part.length);
		for (int index : part) {
			selected.add(this.onWire.get(index));
		}
		return selected;
	}

	/** The position in {@code part} of its first message without a result, or -1. */
	int firstUnsettled(int[] part) {
		for (int position = 0; position < part.length; position++) {
			if (this.results[part[position]] == null) {
				return position;
			}
		}
		return -1;
	}

	/** The messages of {@code part} go to this server (the host of the session lent for them). */
	void sendingTo(int[] part, @Nullable SmtpEndpoint endpoint) {
		for (int index : part) {
			this.sentTo[index] = endpoint;
		}
	}

	void sent(int index, SendResult result) {
		this.results[index] = new BatchResult(this.messages.get(index), result, null);
		finished(index, result.isFullyAccepted() ? SendOutcome.ACCEPTED : SendOutcome.PARTIALLY_ACCEPTED);
	}

	void failed(int index, Exception failure, SendOutcome outcome) {
		this.results[index] = new BatchResult(this.messages.get(index), null, failure);
		finished(index, outcome);
	}

	/** Every message still without a result fails with this: no session could be had. */
	void failUnsettled(Exception failure) {
		for (int index = this.settledBefore; index < this.results.length; index++) {
			if (this.results[index] == null) {
				failed(index, failure, SendOutcome.FAILED);
			}
		}
	}

	/**
	 * Every message still without a result ends with this: the send was abandoned on an
	 * {@link Error}, which the caller rethrows. Each is UNKNOWN, since the one under way may have
	 * gone out; so that every message the listener saw start is seen to end.
	 */
	void abandonUnsettled(Error error) {
		SmtpException abandoned = new SmtpException("The send to " + this.endpoint + " was abandoned: " + error, error);
		for (int index = this.settledBefore; index < this.results.length; index++) {
			if (this.results[index] == null) {
				failed(index, abandoned, SendOutcome.UNKNOWN);
			}
		}
	}

	List<BatchResult> results() {
		return List.of(this.results);
	}

	/** Tells the listener that every message starts, in order, before the first goes out. */
	void started() {
		if (this.listener == SmtpEventListener.NONE) {
			return;
		}
		for (OutgoingMessage message : this.messages) {
			Listeners.notify(this.listener, (l) -> l.sendStarted(this.endpoint, message));
		}
	}

	private void finished(int index, SendOutcome outcome) {
		if (this.listener == SmtpEventListener.NONE) {
			return;
		}
		OutgoingMessage message = this.messages.get(index);
		int attempts = this.attempts[index];
		Duration duration = Duration.ofNanos(System.nanoTime() - this.started);
		BatchResult result = this.results[index];
		// The host that took (or refused) the message, which failover may have made another than the
		// first; the client's own endpoint when it never reached one.
		SmtpEndpoint took = (this.sentTo[index] != null) ? this.sentTo[index] : this.endpoint;
		Listeners.notify(this.listener, (l) -> l.sendFinished(took, outcome, message.envelope().recipients().size(),
				message.message().size(), attempts, duration));
		Listeners.notify(this.listener, (l) -> l.sendFinished(took, result, outcome));
	}

}
