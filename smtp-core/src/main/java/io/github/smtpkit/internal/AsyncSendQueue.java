package io.github.smtpkit.internal;

import java.io.IOException;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpSendRejectedException;
import io.github.smtpkit.SmtpSendRejectedException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * The bounded queue behind {@code SmtpClient.sendAsync}: messages wait here, first in first out,
 * until a thread of the executor takes the one at the head and sends it (on that thread, through
 * the client's pool). The caller's thread only offers to the queue and hands the executor a task:
 * it never waits, neither for room in the queue (a full one fails the future at once) nor for a
 * session.
 *
 * <p>Every task takes whatever message is at the head, not a message of its own, so that messages
 * start in the order they were accepted whatever order the executor runs its tasks in, and so that
 * a cancelled message can leave the queue at once (its task then takes the next one, or nothing).
 * Thread-safe.
 */
public final class AsyncSendQueue {

	/** Sends one message on the calling thread: the client's blocking send. */
	@FunctionalInterface
	public interface Sender {

		SendResult send(OutgoingMessage message) throws IOException;

	}

	private static final int QUEUED = 0;

	private static final int STARTED = 1;

	private static final int ENDED_UNSENT = 2;

	private final SmtpEndpoint endpoint;

	/** Told of every message refused before it started, which no send event covers. */
	private final SmtpEventListener listener;

	private final BlockingDeque<AsyncSend> waiting;

	private final int capacity;

	private final Executor executor;

	/** The executor this queue made, and so shuts down; {@code null} when the application gave one. */
	private final @Nullable ThreadPoolExecutor ownExecutor;

	private final Sender sender;

	private volatile boolean closed;

	/**
	 * @param capacity the most messages waiting to start
	 * @param executor the executor to send on, or {@code null} for one of this queue's own with
	 * {@code threads} daemon threads, which end after a minute idle
	 */
	public AsyncSendQueue(SmtpEndpoint endpoint, SmtpEventListener listener, int capacity,
			@Nullable Executor executor, int threads, Sender sender) {
		this.endpoint = endpoint;
		this.listener = listener;
		this.capacity = capacity;
		this.waiting = new LinkedBlockingDeque<>(capacity);
		this.sender = sender;
		if (executor != null) {
			this.executor = executor;
			this.ownExecutor = null;
		}
		else {
			// No thread is started until the first message; idle ones end after a minute.
			ThreadPoolExecutor own = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
					new LinkedBlockingQueue<>(), daemonThreads("smtpkit-async-" + endpoint + "-"));
			own.allowCoreThreadTimeOut(true);
			this.executor = own;
			this.ownExecutor = own;
		}
	}

	/**
	 * Queues a message and returns its future at once: failed already when the queue is full or
	 * this queue is closed.
	 */
	public CompletableFuture<SendResult> submit(OutgoingMessage message) {
		AsyncSend send = new AsyncSend(message);
		if (this.closed) {
			send.reject(closedBeforeStart());
			return send;
		}
		if (!this.waiting.offer(send)) {
			send.reject(new SmtpSendRejectedException("The send queue for " + this.endpoint + " is full ("
					+ this.capacity + " messages waiting): the message was not sent", Reason.QUEUE_FULL, null));
			return send;
		}
		try {
			this.executor.execute(this::sendNext);
		}
		catch (RejectedExecutionException ex) {
			// One message too many now waits without a task to take it: this one if it is still
			// there (some task may have taken it, then the newest one left without a task).
			AsyncSend orphan = this.waiting.remove(send) ? send : this.waiting.pollLast();
			if (orphan != null) {
				orphan.reject(this.closed ? closedBeforeStart() : new SmtpSendRejectedException("The executor for "
						+ this.endpoint + " refused the task: the message was not sent", Reason.EXECUTOR_REJECTED, ex));
			}
		}
		if (this.closed && this.waiting.remove(send)) {
			// close() ran between the check above and the offer.
			send.reject(closedBeforeStart());
		}
		return send;
	}

	/** The task: takes the message at the head of the queue, if any, and sends it. */
	private void sendNext() {
		AsyncSend send = this.waiting.poll();
		if (send == null) {
			return; // its message was cancelled, or failed by close()
		}
		if (this.closed) {
			send.reject(closedBeforeStart());
			return;
		}
		if (!send.start()) {
			return; // cancelled after it was taken from the queue
		}
		try {
			send.complete(this.sender.send(send.message));
		}
		catch (IOException | RuntimeException ex) {
			send.completeExceptionally(ex);
		}
		catch (Error error) {
			send.completeExceptionally(error);
			throw error;
		}
	}

	/** How many messages wait to start. */
	public int waiting() {
		return this.waiting.size();
	}

	/**
	 * Fails every message still waiting, with {@link Reason#CLIENT_CLOSED}, and every message
	 * given later; shuts down this queue's own executor without interrupting a send under way.
	 */
	public void close() {
		this.closed = true;
		for (AsyncSend send = this.waiting.poll(); send != null; send = this.waiting.poll()) {
			send.reject(closedBeforeStart());
		}
		if (this.ownExecutor != null) {
			this.ownExecutor.shutdown();
		}
	}

	private SmtpSendRejectedException closedBeforeStart() {
		return new SmtpSendRejectedException("The SmtpClient for " + this.endpoint
				+ " was closed before the message was sent: nothing of it was sent", Reason.CLIENT_CLOSED, null);
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * One message's future, which can be cancelled only while the message waits: once a thread
	 * has started it, {@link #cancel} returns {@code false} and the future completes with the send's
	 * outcome, so that a future that says cancelled always means not sent.
	 */
	private final class AsyncSend extends CompletableFuture<SendResult> {

		private final OutgoingMessage message;

		private final AtomicInteger state = new AtomicInteger(QUEUED);

		AsyncSend(OutgoingMessage message) {
			this.message = message;
		}

		/** Claims the message for sending: false when it was cancelled or completed meanwhile. */
		boolean start() {
			return !isDone() && this.state.compareAndSet(QUEUED, STARTED);
		}

		/** Fails the message unsent, unless it has started or ended already. */
		void reject(SmtpSendRejectedException failure) {
			if (this.state.compareAndSet(QUEUED, ENDED_UNSENT)) {
				completeExceptionally(failure);
				Listeners.notify(AsyncSendQueue.this.listener,
						(l) -> l.asyncSendRejected(AsyncSendQueue.this.endpoint, failure.reason()));
			}
		}

		/**
		 * Cancels the message if it has not started, and frees its place in the queue at once.
		 * {@code mayInterruptIfRunning} is ignored: a send under way is never interrupted.
		 * @return whether the future is now cancelled: {@code false} once the message has started
		 */
		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			if (!this.state.compareAndSet(QUEUED, ENDED_UNSENT)) {
				return isCancelled();
			}
			AsyncSendQueue.this.waiting.remove(this);
			return super.cancel(mayInterruptIfRunning);
		}

	}

}
