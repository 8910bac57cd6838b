package io.github.smtpkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.smtpkit.internal.MessageSourceException;
import io.github.smtpkit.internal.PooledSession;
import io.github.smtpkit.internal.SessionPool;
import io.github.smtpkit.internal.TransactionBatch;
import io.github.smtpkit.internal.TransactionEngine;
import org.jspecify.annotations.Nullable;

/**
 * Concurrent {@link SmtpClient#send(Envelope, MessageSource)} calls sharing pipelined sessions,
 * so that they save the round trip {@code sendAll} saves: a session that is sending takes the next
 * waiting message into its pipeline, its MAIL, RCPT and DATA in one write with the end of the
 * data before it.
 *
 * <h2>The hand-off</h2>
 * A caller puts its message at the end of one first-in-first-out queue and then, until it has its
 * outcome, does whichever of these comes first:
 * <ul>
 * <li><b>Borrow.</b> When a session is free (idle, or room for a new one), whichever waiting caller
 * gets it starts a {@linkplain Pipeline pipeline} on it with the message at the <em>head</em> of
 * the queue, not necessarily its own: a session that frees up serves waiters in order. Callers
 * try when they arrive and when the pool says a session came back; none waits inside the pool,
 * where it could not hear that its message was taken.</li>
 * <li><b>Be taken.</b> A pipeline, about to write a message's end of data, takes the head of the
 * queue and writes that message's MAIL, RCPT and DATA behind it. Taking is atomic (under this
 * class's lock): a message is taken by exactly one session, or withdrawn by its caller, never
 * both.</li>
 * <li><b>Drive.</b> A pipeline is driven by the caller whose message is under way: it reads its
 * own outcome, then sends the data of the message taken behind its own (reads that message's
 * replies, writes its data, taking the next message behind it in the same write), and then hands
 * the pipeline to that message's caller, whose outcome is the next reply. Writing the next data
 * before the hand-over keeps the wake-up of another thread off the wire's path: the server works
 * on the data while the next caller wakes, as in {@code sendAll}, instead of waiting for it. So
 * each caller reads its own outcome on its own thread, and no caller works for others longer than
 * it takes to write one message. With nothing taken, the driver starts the next waiting message
 * itself and hands over, or gives the session back when none waits.</li>
 * </ul>
 *
 * <p>{@code maxWait} bounds the wait for a session as it does for {@code send} without this: a
 * caller whose message is neither taken nor started by then withdraws it and fails with
 * {@link SmtpPoolTimeoutException}. A message taken in time is sent, however long that takes,
 * since its MAIL may already be on the wire: its caller waits for the message ahead of it (bounded
 * by the timeout for a reply) and then for its own send (bounded by the connection's timeouts),
 * as a caller that got a session in time does.
 *
 * <p>What the pipeline does to each message is what {@link PooledSender} does for a batch: the
 * same outcome per message, events and metrics, rate limit (a permit per message, taken by its
 * caller before it queues), DKIM (signed by its caller), size and REQUIRETLS checks (made per
 * message as its commands are written: messages with different envelope options share a
 * pipeline). A session that breaks settles the message under way as a batch would (failed
 * before its data, ambiguous after the dot, or sent again); a message taken behind it was not
 * sent and goes to its caller, who sends it anew as {@code send} does without this. A session
 * that does not pipeline (no PIPELINING, or BDAT) carries one message at a time, and from then on
 * every {@code send} goes the plain way.
 *
 * <p>A failure made on another caller's thread (a message that failed its checks when taken, one
 * whose MAIL or RCPT was refused when the caller ahead of it read its replies, or one settled by
 * another thread after the session broke) is thrown with a suppressed
 * {@link CallerStack} that shows where its own caller waited: the type, and all it carries, stay
 * as {@code send} documents them.
 */
final class PipelineCombiner {

	/** The part of a caller's batch of one that goes to a session: its only message. */
	private static final int[] ONE = { 0 };

	private final PooledSender sender;

	private final SessionPool pool;

	/** Guards the queue, every waiter's state and the hand-over of a pipeline between threads. */
	private final ReentrantLock lock = new ReentrantLock();

	/** The callers waiting for a session or to be taken, in arrival order. */
	private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

	/** Set once a session turned out not to pipeline: this server's sends then go the plain way. */
	private volatile boolean sessionsSendAlone;

	PipelineCombiner(PooledSender sender, SessionPool pool) {
		this.sender = sender;
		this.pool = pool;
		pool.outsideWaiters(new SessionPool.OutsideWaiters() {

			@Override
			public void sessionFreed() {
				PipelineCombiner.this.sessionFreed();
			}

			@Override
			public int count() {
				return PipelineCombiner.this.waitingCount();
			}

		});
	}

	/** Whether a session turned out not to pipeline, so that sends need not wait here. */
	boolean sessionsSendAlone() {
		return this.sessionsSendAlone;
	}

	/**
	 * Sends one message as {@link SmtpClient#send(Envelope, MessageSource)} documents, sharing a
	 * pipelined session with other callers when one is sending.
	 */
	SendResult send(OutgoingMessage message) throws IOException {
		SendBatch batch = this.sender.startBatch(List.of(message));
		if (!batch.hasUnsettled()) {
			// It could not be signed.
			return batch.results().get(0).get();
		}
		Duration maxWait;
		try {
			maxWait = this.sender.takePermitForOne();
		}
		catch (IOException | RuntimeException ex) {
			batch.failUnsettled(ex);
			return batch.results().get(0).get();
		}
		long started = System.nanoTime();
		Waiter self = new Waiter(batch, System.nanoTime() + maxWait.toNanos());
		this.lock.lock();
		try {
			this.waiting.addLast(self);
		}
		finally {
			this.lock.unlock();
		}
		try {
			return sendQueued(self, started);
		}
		catch (Error error) {
			batch.abandonUnsettled(error);
			throw error;
		}
	}

	/** The caller's turns, until its message has its outcome: each turn settles it or changes its state. */
	private SendResult sendQueued(Waiter self, long started) throws IOException {
		while (true) {
			Turn turn = awaitTurn(self);
			switch (turn) {
				case BORROW -> borrow(self);
				case DRIVE -> drive(self, self.takeHanded());
				case SETTLED -> {
					self.throwDeferred();
					return self.result();
				}
				case RETURNED -> {
					self.throwDeferred();
					// Not sent (a session broke ahead of it, or it alone): as send would without this.
					this.sender.sendRest(self.batch, self.retry);
					return self.batch.results().get(0).get();
				}
				case TIMED_OUT -> {
					self.batch.failUnsettled(this.pool.timedOut(started));
					return self.batch.results().get(0).get();
				}
				case INTERRUPTED -> {
					self.batch.failUnsettled(new InterruptedIOException(
							"Interrupted while waiting for a session to " + this.pool.endpoint()));
					return self.batch.results().get(0).get();
				}
			}
		}
	}

	private enum Turn {

		/** A session may be free: try to borrow one. */
		BORROW,
		/** A pipeline was handed over, this caller's message under way in it. */
		DRIVE,
		/** The message has its outcome. */
		SETTLED,
		/** The message was taken but not sent, and is the caller's to send again. */
		RETURNED,
		/** The wait ended with the message still queued: it is withdrawn. */
		TIMED_OUT,
		/** The thread was interrupted with the message still queued: it is withdrawn. */
		INTERRUPTED

	}

	/**
	 * Waits until there is something for the caller to do. A queued message is withdrawn here when
	 * the wait ends or the thread is interrupted; a taken one is waited for uninterruptibly (the
	 * interrupt is kept), since a pipeline will hand it over.
	 */
	private Turn awaitTurn(Waiter self) {
		boolean interrupted = false;
		this.lock.lock();
		try {
			// Each wait ends in a signal, the deadline, or an interrupt; waits past the deadline are
			// only those of a taken message, which a pipeline settles within its timeouts.
			while (true) {
				if (self.handed != null) {
					return Turn.DRIVE;
				}
				if (self.settled) {
					return Turn.SETTLED;
				}
				if (self.returned) {
					return Turn.RETURNED;
				}
				if (self.queued) {
					if (self.mayBorrow) {
						self.mayBorrow = false;
						return Turn.BORROW;
					}
					long left = self.deadline - System.nanoTime();
					if (left <= 0 || interrupted) {
						withdraw(self);
						return interrupted ? Turn.INTERRUPTED : Turn.TIMED_OUT;
					}
					try {
						self.turn.awaitNanos(left);
					}
					catch (InterruptedException ex) {
						interrupted = true;
					}
				}
				else {
					self.turn.awaitUninterruptibly();
				}
			}
		}
		finally {
			this.lock.unlock();
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Takes a waiter out of the queue for good. Under the lock. */
	private void withdraw(Waiter waiter) {
		this.waiting.remove(waiter);
		waiter.queued = false;
	}

	/** How many callers' messages wait in the queue, neither taken nor withdrawn. */
	private int waitingCount() {
		this.lock.lock();
		try {
			return this.waiting.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** A session's permit came back to the pool: every queued caller may try to borrow. */
	private void sessionFreed() {
		this.lock.lock();
		try {
			for (Waiter waiter : this.waiting) {
				waiter.mayBorrow = true;
				waiter.turn.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Borrows a session without waiting for a busy one and starts a pipeline on it with the head of
	 * the queue. A borrow that fails fails the caller's message, if it is still queued; taken, the
	 * message's outcome comes from its pipeline.
	 */
	private void borrow(Waiter self) {
		Pipeline pipeline;
		try {
			PooledSession lease = this.pool.tryBorrow();
			if (lease == null) {
				return;
			}
			pipeline = open(lease);
		}
		catch (SmtpBackoffException ex) {
			awaitBackoff(self);
			return;
		}
		catch (IOException | RuntimeException ex) {
			if (withdrawIfQueued(self)) {
				self.batch.failUnsettled(ex);
				settled(self);
			}
			return;
		}
		catch (Error error) {
			if (withdrawIfQueued(self)) {
				throw error;
			}
			// Taken: a pipeline will hand it over, so the caller stays for its outcome first.
			self.deferred = error;
			return;
		}
		passOn(pipeline);
	}

	/**
	 * The pool may open no connection for now (the server said "not now"): the caller waits for the
	 * back-off to end within its own deadline, as {@code send} does without this, or fails at once
	 * when the back-off outlasts it. Its message is out of the queue meanwhile, so that no pipeline
	 * takes it while its caller cannot drive it, and back at the head afterwards.
	 */
	private void awaitBackoff(Waiter self) {
		if (!withdrawIfQueued(self)) {
			// Taken meanwhile: its pipeline hands it over.
			return;
		}
		try {
			this.sender.awaitBackoff(Duration.ofNanos(Math.max(0, self.deadline - System.nanoTime())));
		}
		catch (IOException | RuntimeException ex) {
			self.batch.failUnsettled(ex);
			settled(self);
			return;
		}
		this.lock.lock();
		try {
			self.queued = true;
			self.mayBorrow = true;
			this.waiting.addFirst(self);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** A pipeline on the lent session; the session is closed if that fails. */
	private Pipeline open(PooledSession lease) {
		try {
			return new Pipeline(lease);
		}
		catch (RuntimeException | Error ex) {
			this.pool.discard(lease, "broken: " + ex.getClass().getSimpleName());
			throw ex;
		}
	}

	private boolean withdrawIfQueued(Waiter waiter) {
		this.lock.lock();
		try {
			if (!waiter.queued) {
				return false;
			}
			withdraw(waiter);
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Drives the pipeline whose message under way is the caller's: settles it, then passes the
	 * pipeline on.
	 */
	private void drive(Waiter self, Pipeline pipeline) {
		if (pipeline.batch == null) {
			// A session that does not pipeline: the message goes alone, and the session back.
			boolean retry = this.sender.sendOver(pipeline.lease, self.batch, new int[] { 0 });
			if (self.batch.hasUnsettled()) {
				returned(self, retry);
			}
			else {
				settled(self);
			}
			return;
		}
		TransactionBatch batch = pipeline.batch;
		boolean settled = onWire(pipeline, () -> {
			// Handed over with its data written (the previous driver wrote it), or just begun.
			if (batch.currentWritten() || batch.writeCurrent()) {
				batch.settleWritten();
			}
			return 0;
		}) != BROKEN;
		if (settled) {
			passOn(pipeline);
		}
	}

	/**
	 * Hands the pipeline to the caller of its message under way, once that message's data is out
	 * (see the class's javadoc), or starts the head of the queue when none is under way; gives the
	 * session back when no message waits.
	 */
	private void passOn(Pipeline pipeline) {
		TransactionBatch batch = pipeline.batch;
		int next = onWire(pipeline, () -> {
			if (batch == null) {
				return pipeline.take();
			}
			if (batch.current() >= 0 && batch.writeCurrent()) {
				return batch.current();
			}
			// None under way, or its group was refused (told to its caller): start the next one.
			return batch.begin() ? batch.current() : -1;
		});
		if (next == BROKEN) {
			return;
		}
		if (next < 0) {
			this.pool.giveBack(pipeline.lease);
			return;
		}
		Waiter driver = pipeline.taken.get(next);
		this.lock.lock();
		try {
			driver.handed = pipeline;
			driver.turn.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** What {@link #onWire} gives when the step failed and the session is broken. */
	private static final int BROKEN = -2;

	/** A step of a pipeline that reads or writes its session: a message's index, or -1 for none. */
	@FunctionalInterface
	private interface WireStep {

		int run() throws IOException;

	}

	/**
	 * Runs a step on the pipeline's session; when it fails, the session is {@linkplain #broken
	 * broken} and {@link #BROKEN} returned (an {@link Error} is thrown on once that is done).
	 */
	private int onWire(Pipeline pipeline, WireStep step) {
		try {
			return step.run();
		}
		catch (MessageSourceException ex) {
			broken(pipeline, ex.getCause());
			return BROKEN;
		}
		catch (IOException | RuntimeException ex) {
			broken(pipeline, ex);
			return BROKEN;
		}
		catch (Error error) {
			broken(pipeline, error);
			throw error;
		}
	}

	/**
	 * The pipeline's session broke: closes it and settles, as {@link PooledSender} settles a
	 * batch, the message it broke on; every other message taken and not settled was not sent and
	 * goes back to its caller.
	 */
	private void broken(Pipeline pipeline, Throwable failure) {
		String reason = (failure instanceof Exception ex) ? PooledSender.brokenReason(ex)
				: "broken: " + failure.getClass().getSimpleName();
		this.pool.discard(pipeline.lease, reason);
		int brokenOn = (pipeline.batch != null) ? pipeline.batch.current() : -1;
		for (Map.Entry<Integer, Waiter> entry : pipeline.taken.entrySet()) {
			Waiter waiter = entry.getValue();
			if (entry.getKey() == brokenOn && failure instanceof Exception ex) {
				boolean retry = this.sender.settleBrokenMessage(pipeline.lease, pipeline.told > 0, waiter.batch, 0, ex);
				if (!waiter.batch.hasUnsettled()) {
					settled(waiter);
					continue;
				}
				returned(waiter, retry);
			}
			else {
				// Its data never went out (an Error leaves the one under way to its own caller, who
				// rethrows it and abandons the message): its caller sends it anew.
				returned(waiter, false);
			}
		}
	}

	private void settled(Waiter waiter) {
		this.lock.lock();
		try {
			waiter.settled = true;
			waiter.settledElsewhere = waiter.owner != Thread.currentThread();
			waiter.turn.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void returned(Waiter waiter, boolean retry) {
		this.lock.lock();
		try {
			waiter.returned = true;
			waiter.retry = retry;
			waiter.turn.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** One caller of {@code send} and its message. Its flags are guarded by the lock. */
	private final class Waiter {

		final SendBatch batch;

		final Thread owner = Thread.currentThread();

		/** When, by {@link System#nanoTime()}, a still queued message is withdrawn. */
		final long deadline;

		final Condition turn = PipelineCombiner.this.lock.newCondition();

		/** In the queue: neither taken nor withdrawn. */
		boolean queued = true;

		/** A session may be free: set on arrival and whenever one comes back. */
		boolean mayBorrow = true;

		/** The pipeline handed over to drive, its message under way; {@code null} when none. */
		@Nullable Pipeline handed;

		boolean settled;

		/** Settled by another caller's thread: its failure is thrown with this caller's stack added. */
		boolean settledElsewhere;

		/** Taken, not sent, and back with its caller; {@link #retry} says whether as a second attempt. */
		boolean returned;

		boolean retry;

		/** An {@link Error} met while the message was taken: thrown once it has its outcome. Caller's thread only. */
		@Nullable Error deferred;

		Waiter(SendBatch batch, long deadline) {
			this.batch = batch;
			this.deadline = deadline;
		}

		Pipeline takeHanded() {
			PipelineCombiner.this.lock.lock();
			try {
				Pipeline pipeline = this.handed;
				this.handed = null;
				return pipeline;
			}
			finally {
				PipelineCombiner.this.lock.unlock();
			}
		}

		void throwDeferred() {
			if (this.deferred != null) {
				throw this.deferred;
			}
		}

		/** The outcome, thrown as {@code send} throws it; see the class's note on other threads. */
		SendResult result() throws IOException {
			BatchResult result = this.batch.results().get(0);
			if (this.settledElsewhere && result.failure() != null) {
				result.failure().addSuppressed(new CallerStack());
			}
			return result.get();
		}

	}

	/**
	 * The messages of one lent session, in the order it took them, and the engine's batch that
	 * sends them: the {@linkplain TransactionBatch.Feed feed} it takes from is this class's queue.
	 * Driven by one caller at a time (see the class's javadoc), handed over under the lock.
	 */
	private final class Pipeline implements TransactionBatch.Feed, TransactionEngine.BatchOutcomes {

		final PooledSession lease;

		/** The engine's pipelined batch, or {@code null} when the session does not pipeline. */
		final @Nullable TransactionBatch batch;

		/**
		 * The messages taken and not yet told about (at most two: the one under way and the one
		 * behind it), by the feed's index, in the order taken.
		 */
		final Map<Integer, Waiter> taken = new LinkedHashMap<>();

		/** The feed's index of the next message taken. */
		int nextIndex;

		/** Messages told about: after one, a broken session had carried mail before. */
		int told;

		Pipeline(PooledSession lease) {
			this.lease = lease;
			TransactionBatch pipelined = null;
			try {
				pipelined = PipelineCombiner.this.sender.engineOf(lease).pipelinedBatch(this, this);
				if (pipelined == null) {
					PipelineCombiner.this.sessionsSendAlone = true;
				}
			}
			catch (IOException ex) {
				// EHLO failed on a session the pool had ready: it carries one message alone, and
				// that send finds the session broken and heals as a batch of one does.
			}
			this.batch = pipelined;
		}

		/**
		 * Takes the head of the queue, if the session may carry one more message (and, without
		 * pipelining, carries none now).
		 */
		@Override
		public int take() {
			int more = this.taken.size() + 1;
			if (!PipelineCombiner.this.pool.mayCarry(this.lease, more) || more > 1 && this.batch == null) {
				return -1;
			}
			PipelineCombiner.this.lock.lock();
			try {
				Waiter head = PipelineCombiner.this.waiting.pollFirst();
				if (head == null) {
					return -1;
				}
				head.queued = false;
				head.batch.sendingTo(ONE, this.lease.session().endpoint());
				int index = this.nextIndex++;
				this.taken.put(index, head);
				return index;
			}
			finally {
				PipelineCombiner.this.lock.unlock();
			}
		}

		@Override
		public OutgoingMessage message(int index) {
			return this.taken.get(index).batch.onWire(0);
		}

		@Override
		public void sent(int index, Map<String, SmtpReply> refused) {
			Waiter waiter = this.taken.remove(index);
			PipelineCombiner.this.sender.messageSent(this.lease, waiter.batch, 0, refused);
			told(waiter);
		}

		@Override
		public void failed(int index, Exception failure) {
			Waiter waiter = this.taken.remove(index);
			PipelineCombiner.this.sender.messageFailed(waiter.batch, 0, failure);
			told(waiter);
		}

		private void told(Waiter waiter) {
			this.told++;
			settled(waiter);
		}

	}

	/**
	 * Where the caller of {@code send} waited while another caller's thread settled its message:
	 * added, suppressed, to a failure made on that thread, so that the trace shows both.
	 */
	static final class CallerStack extends RuntimeException {

		private static final long serialVersionUID = 1L;

		CallerStack() {
			super("The message was sent in a pipeline that another thread drove; this is where its caller waited");
		}

	}

}
