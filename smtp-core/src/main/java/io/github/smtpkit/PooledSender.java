package io.github.smtpkit;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.smtpkit.internal.ConnectBackoff;
import io.github.smtpkit.internal.Listeners;
import io.github.smtpkit.internal.MessageSourceException;
import io.github.smtpkit.internal.PooledSession;
import io.github.smtpkit.internal.SessionPool;
import io.github.smtpkit.internal.TransactionEngine;
import org.jspecify.annotations.Nullable;

/**
 * {@link SmtpClient}'s sending, behind its public methods: borrow a session, send over it, heal
 * (retry a message that was not sent on a fresh or freshly checked session, give up PIPELINING
 * for a server that mishandles it, never send again what may have been delivered), give the
 * session back. In this package rather than {@code internal} because it keeps a
 * {@link SendBatch}'s results, which are public types' business.
 *
 * <p>Thread-safe: each batch is its own {@link SendBatch}; what is shared is the pool and the
 * one-way switch that turns pipelining off for the server.
 */
final class PooledSender {

	/**
	 * The least a borrow may wait after the rate limit took the rest of {@code maxWait}: a session
	 * that is free now is still taken, none is waited for.
	 */
	private static final Duration MIN_BORROW_WAIT = Duration.ofMillis(1);

	/**
	 * The most back-offs one borrow waits out: each ended within its wait, but another sender's
	 * new connection met "not now" again.
	 */
	private static final int MAX_BACKOFF_WAITS = 3;

	private static final System.Logger LOGGER = System.getLogger(SmtpClient.class.getName());

	private final SmtpEndpoint endpoint;

	private final SessionPool pool;

	/** Told of a 421 that is not healed by a retry: the server is not taking mail now. */
	private final ConnectBackoff backoff;

	private final SmtpEventListener listener;

	private final boolean pipelining;

	/** Signs every message before it goes out, or {@code null} for none. */
	private final @Nullable DkimSigner dkimSigner;

	/** The server's rate limit, asked before messages go out, or {@code null} for none. */
	private final @Nullable SmtpRateLimiter rateLimiter;

	/**
	 * Set for good once the server has mishandled a pipelined group: from then on every session
	 * sends one command at a time.
	 */
	private final AtomicBoolean pipeliningDisabled = new AtomicBoolean();

	/** Lets concurrent single sends share pipelined sessions. */
	private final PipelineCombiner combiner;

	PooledSender(SmtpEndpoint endpoint, SessionPool pool, ConnectBackoff backoff, SmtpEventListener listener,
			boolean pipelining, @Nullable DkimSigner dkimSigner, @Nullable SmtpRateLimiter rateLimiter) {
		this.endpoint = endpoint;
		this.pool = pool;
		this.backoff = backoff;
		this.listener = listener;
		this.pipelining = pipelining;
		this.dkimSigner = dkimSigner;
		this.rateLimiter = rateLimiter;
		this.combiner = new PipelineCombiner(this, pool);
	}

	/**
	 * Sends one message, as {@link SmtpClient#send(Envelope, MessageSource)} documents: shared with
	 * other threads' sends through {@link PipelineCombiner} when this client pipelines, else as a
	 * batch of one.
	 * @throws IllegalStateException if the client is closed
	 */
	SendResult send(OutgoingMessage message) throws IOException {
		if (pipelines() && !this.combiner.sessionsSendAlone()) {
			return this.combiner.send(message);
		}
		return sendBatch(List.of(message)).get(0).get();
	}

	/**
	 * Sends the messages over as few sessions as it can, healing as the class documents.
	 * @throws IllegalStateException if the client is closed; nothing is told to the listener then
	 */
	List<BatchResult> sendBatch(List<OutgoingMessage> messages) {
		SendBatch batch = startBatch(messages);
		sendRest(batch, false);
		return batch.results();
	}

	/**
	 * A batch, told to the listener and signed: ready to send.
	 * @throws IllegalStateException if the client is closed; nothing is told to the listener then
	 */
	SendBatch startBatch(List<OutgoingMessage> messages) {
		if (this.pool.isClosed()) {
			throw new IllegalStateException("This SmtpClient for " + this.endpoint + " is closed");
		}
		SendBatch batch = new SendBatch(messages, this.endpoint, this.listener);
		batch.started();
		try {
			if (this.dkimSigner != null) {
				sign(batch, this.dkimSigner);
			}
		}
		catch (Error error) {
			batch.abandonUnsettled(error);
			throw error;
		}
		return batch;
	}

	/**
	 * Sends the batch's unsettled messages, each session as far as it goes, healing as the class
	 * documents, until each has its result.
	 * @param retrying whether the first unsettled message is sent again, on a fresh or freshly
	 * checked session
	 */
	void sendRest(SendBatch batch, boolean retrying) {
		try {
			// Messages the rate limit allows before it is asked again; without one, all of them.
			int permits = (this.rateLimiter != null) ? 0 : Integer.MAX_VALUE;
			while (batch.hasUnsettled()) {
				PooledSession lease;
				try {
					Duration maxWait = this.pool.config().maxWait();
					if (permits == 0) {
						long asked = System.nanoTime();
						SmtpRateLimiter.Permits granted = takePermits(this.rateLimiter, batch.unsettledCount(), maxWait);
						permits = Math.min(granted.count(), batch.unsettledCount());
						maxWait = waitLeft(maxWait, granted, asked);
					}
					lease = borrow(maxWait, retrying);
				}
				catch (IOException | RuntimeException ex) {
					batch.failUnsettled(ex);
					break;
				}
				int[] part = batch.unsettled(Math.min(this.pool.messagesLeft(lease), permits));
				if (permits != Integer.MAX_VALUE) {
					// A message sent again takes a permit again: the server saw a second attempt.
					permits -= part.length;
				}
				retrying = sendOver(lease, batch, part);
			}
		}
		catch (Error error) {
			batch.abandonUnsettled(error);
			throw error;
		}
	}

	/**
	 * Takes the rate limit's permit for one message, when there is a limit.
	 * @return how long the message may still wait for a session: what is left of {@code maxWait}
	 * @throws SmtpRateLimitedException if no permit was due within {@code maxWait}
	 */
	Duration takePermitForOne() throws IOException {
		Duration maxWait = this.pool.config().maxWait();
		if (this.rateLimiter == null) {
			return maxWait;
		}
		long asked = System.nanoTime();
		return waitLeft(maxWait, takePermits(this.rateLimiter, 1, maxWait), asked);
	}

	/**
	 * maxWait bounds the caller's whole wait: what the rate limit took, the pool does not get. That
	 * is the longer of the wait the grant reports (by the limiter's clock) and the time the call
	 * took since {@code asked} (by {@link System#nanoTime()}), which counts a limiter that was slow
	 * to answer though it waited for nothing, such as one that had to connect to Redis first.
	 */
	private static Duration waitLeft(Duration maxWait, SmtpRateLimiter.Permits granted, long asked) {
		Duration took = Duration.ofNanos(System.nanoTime() - asked);
		Duration used = (granted.waited().compareTo(took) > 0) ? granted.waited() : took;
		return atLeast(MIN_BORROW_WAIT, maxWait.minus(used));
	}

	/**
	 * Borrows a session for a send within {@code maxWait}: a fresh or freshly checked one when
	 * {@code retrying}. When the pool must open a new connection and the client is backing off from
	 * the server, the send waits for the back-off to end if it ends within what is left of
	 * {@code maxWait}, and fails at once otherwise: that wait counts against {@code maxWait} as the
	 * pool's own wait does. Sessions already open are lent during a back-off without waiting.
	 * @throws SmtpBackoffException if the back-off outlasts the wait left; nothing was sent
	 */
	private PooledSession borrow(Duration maxWait, boolean retrying) throws IOException {
		long started = System.nanoTime();
		// Bounded in count, and in time by maxWait: each back-off waited out is waited within it.
		for (int waits = 0;; waits++) {
			Duration left = atLeast(MIN_BORROW_WAIT, maxWait.minusNanos(System.nanoTime() - started));
			try {
				return retrying ? borrowAnswering(left, false).lease() : this.pool.borrow(left);
			}
			catch (SmtpBackoffException ex) {
				if (waits >= MAX_BACKOFF_WAITS) {
					// Other senders keep meeting "not now" as each back-off ends: this one gives up.
					Listeners.notify(this.listener, (l) -> l.backoffRefused(this.endpoint, ex.retryAt()));
					throw ex;
				}
				awaitBackoff(atLeast(Duration.ZERO, maxWait.minusNanos(System.nanoTime() - started)));
			}
		}
	}

	/** Waits for the back-off to end within {@code mayWait}, and tells the listener of the wait or the refusal. */
	void awaitBackoff(Duration mayWait) throws IOException {
		Duration waited;
		try {
			waited = this.backoff.awaitEnd(mayWait);
		}
		catch (SmtpBackoffException ex) {
			Listeners.notify(this.listener, (l) -> l.backoffRefused(this.endpoint, ex.retryAt()));
			throw ex;
		}
		if (!waited.isZero()) {
			Listeners.notify(this.listener, (l) -> l.backoffWaited(this.endpoint, waited));
		}
	}

	private static Duration atLeast(Duration least, Duration duration) {
		return (duration.compareTo(least) < 0) ? least : duration;
	}

	/**
	 * Sends the next unsettled messages of the batch (as many as the session may still carry)
	 * over one lent session, and gives the session back or closes it.
	 * @return whether the message the session broke on is to be sent again, on a fresh or freshly
	 * checked session
	 */
	boolean sendOver(PooledSession lease, SendBatch batch, int[] part) {
		TransactionEngine engine = engineOf(lease);
		batch.sendingTo(part, lease.session().endpoint());
		try {
			engine.sendEach(batch.messagesAt(part), new TransactionEngine.BatchOutcomes() {

				@Override
				public void sent(int index, Map<String, SmtpReply> refused) {
					messageSent(lease, batch, part[index], refused);
				}

				@Override
				public void failed(int index, Exception failure) {
					messageFailed(batch, part[index], failure);
				}

			});
			this.pool.giveBack(lease);
			return false;
		}
		catch (MessageSourceException ex) {
			return settleBroken(lease, batch, part, ex.getCause());
		}
		catch (IOException | RuntimeException ex) {
			return settleBroken(lease, batch, part, ex);
		}
		catch (Error error) {
			// From a message source or a listener: the session is in no known state.
			this.pool.discard(lease, "broken: " + error.getClass().getSimpleName());
			throw error;
		}
	}

	/** The lent session's engine, pipelining only if this client still does. */
	TransactionEngine engineOf(PooledSession lease) {
		TransactionEngine engine = lease.session().engine();
		if (this.pipeliningDisabled.get()) {
			engine.disablePipelining();
		}
		return engine;
	}

	/** A message went out over the lent session and at least one recipient took it. */
	void messageSent(PooledSession lease, SendBatch batch, int message, Map<String, SmtpReply> refused) {
		lease.messageSent();
		this.pool.replied();
		batch.sent(message, resultOf(batch.message(message).envelope(), refused, lease.session().engine(),
				lease.session().endpoint()));
	}

	/** A message failed by itself; the session is still usable. */
	void messageFailed(SendBatch batch, int message, Exception failure) {
		if (isAnswer(failure)) {
			this.pool.replied();
		}
		if (isServiceClosing(failure)) {
			this.backoff.notNow();
		}
		batch.failed(message, failure, outcomeOf(failure));
	}

	/**
	 * After the session broke, closes it and settles the message that was under way, as
	 * {@link #settleBrokenMessage} does. The messages after it were not sent and stay unsettled.
	 * @return whether the message is to be sent again
	 */
	private boolean settleBroken(PooledSession lease, SendBatch batch, int[] part, Exception ex) {
		this.pool.discard(lease, brokenReason(ex));
		int position = batch.firstUnsettled(part);
		if (position < 0) {
			// Cannot happen by sendEach's contract (it throws only with a message under way); a guard.
			return false;
		}
		return settleBrokenMessage(lease, position > 0, batch, part[position], ex);
	}

	/**
	 * Settles the message that was under way when its session broke (the session is closed
	 * already): ambiguous when its data had gone out, else failed, or to be sent again when the
	 * connection had carried mail before (the server may have closed it meanwhile) or mishandled a
	 * pipelined group.
	 * @param sentBefore whether messages went over the session before this one, in this use of it
	 * @return whether the message is to be sent again
	 */
	boolean settleBrokenMessage(PooledSession lease, boolean sentBefore, SendBatch batch, int broken,
			Exception ex) {
		TransactionEngine engine = lease.session().engine();
		boolean dataSent = engine.endOfDataSent();
		boolean stalled = engine.pipeliningStalled();
		if (stalled) {
			// Whatever becomes of this message (in doubt, when its data went out in the group as a
			// BDAT chunk), the server mishandled a pipelined group: the next sessions do not pipeline.
			disablePipelining();
		}
		if (ex instanceof SmtpAmbiguousOutcomeException ambiguous) {
			// Already says why (the server answered the end of the data with something not a reply).
			batch.failed(broken, ambiguous, SendOutcome.UNKNOWN);
			return false;
		}
		if (dataSent && !(ex instanceof SmtpDataException)) {
			batch.failed(broken, new SmtpAmbiguousOutcomeException("The connection to " + this.endpoint
					+ " broke after the message was sent and before the server's reply: it may have been delivered,"
					+ " so it was not sent again (" + describe(ex) + ")", ex), SendOutcome.UNKNOWN);
			return false;
		}
		boolean carriedMailBefore = lease.isReused() || sentBefore;
		boolean retry = batch.attempts[broken] == 1 && !dataSent && (stalled
				|| carriedMailBefore && (ex instanceof SmtpServerDisconnectedException || isServiceClosing(ex)));
		if (retry) {
			// A connection the server had closed, or a pipelined group it mishandled: either way the
			// message was not sent, so send it again.
			batch.attempts[broken]++;
			return true;
		}
		if (isServiceClosing(ex)) {
			// Not healed by a retry (a fresh session, or one retry already spent): the server is
			// closing its doors, not just this connection.
			this.backoff.notNow();
		}
		batch.failed(broken, ex, outcomeOf(ex));
		return false;
	}

	/**
	 * Takes permits from the rate limit for up to {@code wanted} messages, waiting at most
	 * {@code maxWait}, and tells the listener of a wait or a refusal.
	 * @return the grant: at least 1 permit, and how long it took
	 * @throws SmtpRateLimitedException if no permit was due within {@code maxWait}
	 */
	private SmtpRateLimiter.Permits takePermits(SmtpRateLimiter limiter, int wanted, Duration maxWait)
			throws IOException {
		// The limiter is a parameter, not this.rateLimiter, for its non-null type.
		SmtpRateLimiter.Permits permits = limiter.acquire(wanted, maxWait);
		if (permits.isGranted()) {
			if (!permits.waited().isZero()) {
				Listeners.notify(this.listener, (l) -> l.rateLimitWaited(this.endpoint, permits.waited(), permits.count()));
			}
			return permits;
		}
		Listeners.notify(this.listener, (l) -> l.rateLimitExceeded(this.endpoint, permits.retryAfter()));
		throw new SmtpRateLimitedException("The rate limit of " + this.endpoint + " has no permit for another message"
				+ " within the longest wait (maxWait=" + maxWait + "): the next is due in " + permits.retryAfter()
				+ "; nothing was sent", permits.retryAfter());
	}

	/**
	 * Signs every message with DKIM before anything is sent; a message that cannot be signed (it
	 * cannot be read, has no From) fails alone, with nothing of it sent.
	 */
	private void sign(SendBatch batch, DkimSigner signer) {
		for (int index = 0; index < batch.size(); index++) {
			OutgoingMessage message = batch.message(index);
			try {
				batch.sendAs(index, new OutgoingMessage(message.envelope(), signer.sign(message.message())));
			}
			catch (IOException | RuntimeException ex) {
				batch.failed(index, ex, SendOutcome.FAILED);
			}
		}
	}

	/** Whether new sessions pipeline: asked for, and not given up on for this server. */
	boolean pipelines() {
		return this.pipelining && !this.pipeliningDisabled.get();
	}

	/** The safe fallback for a server that mishandles PIPELINING: one command at a time, for good. */
	private void disablePipelining() {
		if (!this.pipeliningDisabled.compareAndSet(false, true)) {
			return;
		}
		LOGGER.log(Level.WARNING, () -> this.endpoint + " advertises PIPELINING but answered only part of a"
				+ " pipelined group: sending one command at a time to it from now on (set pipelining(false) to"
				+ " skip the first, failed attempt)");
		Listeners.notify(this.listener, (l) -> l.pipeliningDisabled(this.endpoint));
	}

	/** A lent session and its answer to NOOP ({@code null} when it was fresh and not asked). */
	record Answered(PooledSession lease, @Nullable SmtpReply reply) {
	}

	/**
	 * Borrows a session that answers: a pooled one that fails NOOP or answers it with anything but
	 * 2xx (a 421 from a server restart) says nothing about the server now, so it is closed and the
	 * next one tried. Bounded by the pool size: after that many stale ones the pool opens a fresh
	 * session, whose answer stands, whatever it is.
	 * @param askFresh whether a fresh session is asked too (a health check wants an answer; a retry
	 * needs no proof that a connection just opened is alive)
	 */
	Answered borrowAnswering(Duration maxWait, boolean askFresh) throws IOException {
		long started = System.nanoTime();
		for (int attempt = 0;; attempt++) {
			// maxWait bounds the waits for sessions together, not each.
			PooledSession lease = this.pool.borrow(atLeast(MIN_BORROW_WAIT, maxWait.minusNanos(System.nanoTime() - started)));
			boolean last = !lease.isReused() || attempt >= this.pool.config().maxTotal();
			if (!lease.isReused() && !askFresh) {
				return new Answered(lease, null);
			}
			try {
				SmtpReply reply = lease.session().noop();
				if (reply.isPositiveCompletion() || last) {
					return new Answered(lease, reply);
				}
				this.pool.discard(lease, reply.isServiceClosing() ? "service closing" : "validation failed");
			}
			catch (IOException | RuntimeException ex) {
				this.pool.discard(lease, brokenReason(ex));
				if (last) {
					throw ex;
				}
			}
			catch (Error error) {
				this.pool.discard(lease, "broken: " + error.getClass().getSimpleName());
				throw error;
			}
		}
	}

	private static SendResult resultOf(Envelope envelope, Map<String, SmtpReply> refused, TransactionEngine engine,
			@Nullable SmtpEndpoint endpoint) {
		if (refused.isEmpty()) {
			// Every recipient took it (nearly every message): the envelope's list, and no filtering.
			return new SendResult(envelope.recipients(), Map.of(), engine.lastDataReply(), engine.dataReplies(),
					endpoint);
		}
		List<String> accepted = envelope.recipients().stream()
			.filter((recipient) -> !refused.containsKey(recipient))
			.toList();
		return new SendResult(accepted, refused, engine.lastDataReply(), engine.dataReplies(), endpoint);
	}

	/**
	 * Whether the failure is the server's answer to the message (a refusal, but not 421): proof
	 * that it is there and serving, as much as an acceptance is.
	 */
	private static boolean isAnswer(Exception failure) {
		boolean refusal = failure instanceof SmtpResponseException || failure instanceof SmtpRecipientsRefusedException;
		return refusal && !isServiceClosing(failure);
	}

	/** A 421 reply, carried by an exception: the server is closing the connection (RFC 5321 3.8). */
	private static boolean isServiceClosing(Exception ex) {
		return ex instanceof SmtpException smtp && smtp.isServiceClosing();
	}

	/**
	 * REFUSED for the server's no to this message (a recipient refused from an envelope that
	 * requires all of them included), FAILED for anything else.
	 */
	private static SendOutcome outcomeOf(Exception failure) {
		boolean refusal = failure instanceof SmtpSenderRefusedException || failure instanceof SmtpRecipientsRefusedException
				|| failure instanceof SmtpDataException;
		return refusal ? SendOutcome.REFUSED : SendOutcome.FAILED;
	}

	/**
	 * The reason a broken session is destroyed with: a fixed category, never the exception's
	 * message, which can hold addresses and would make an unbounded metric tag.
	 */
	static String brokenReason(Exception ex) {
		return isServiceClosing(ex) ? "service closing" : "broken: " + ex.getClass().getSimpleName();
	}

	private static String describe(Exception ex) {
		return ex.getClass().getSimpleName() + ": " + ex.getMessage();
	}

}
