package io.github.smtpkit.internal;

import java.util.List;
import java.util.Map;

import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.internal.TransactionEngine.BatchOutcomes;
import io.github.smtpkit.internal.TransactionEngine.GroupReplies;
import org.jspecify.annotations.Nullable;

/**
 * Messages over one session, in the order a {@link Feed} gives them: one transaction after
 * another, or pipelined so that each message's end of data shares a write with the next message's
 * MAIL, RCPT and DATA (RFC 2920 3.1 lets message content open a group).
 *
 * <p>A message that fails by itself is told to the {@link BatchOutcomes} and the batch goes on; a
 * failure that leaves the session unusable ends the batch by being thrown, with the message it
 * broke on, {@link #current()}, the first one taken and not told about.
 *
 * <p>The pipelined batch is a state machine that need not run on one thread: {@link #begin()}
 * starts a message when none is under way, {@link #writeCurrent()} sends the data of the one under
 * way (with the next one's group, taken from the feed just then, behind its end of data), and
 * {@link #settleWritten()} reads and tells its outcome and leaves that next one under way;
 * {@link #settleCurrent()} is the last two. The concurrent sends of {@code SmtpClient} hand it
 * from caller to caller between these steps; not thread-safe, so whoever hands it on must publish
 * it safely (a lock).
 */
public final class TransactionBatch {

	/** Where a batch takes its messages, one at a time, at the moment each is written. */
	public interface Feed {

		/**
		 * Takes the next message for good: after this it is the batch's to send or to tell about.
		 * @return its index, or -1 when no message waits now
		 */
		int take();

		/** The message at an index {@link #take()} gave. */
		OutgoingMessage message(int index);

		/** The messages of a list, in order: {@code sendAll}'s batch. */
		static Feed of(List<OutgoingMessage> messages) {
			return new Feed() {

				private int next;

				@Override
				public int take() {
					return (this.next < messages.size()) ? this.next++ : -1;
				}

				@Override
				public OutgoingMessage message(int index) {
					return messages.get(index);
				}

			};
		}

	}

	private final TransactionEngine engine;

	private final SmtpWire wire;

	private final Feed feed;

	private final BatchOutcomes outcomes;

	/** The message under way: its group written, its replies not all read; {@code null} for none. */
	private @Nullable Transaction transaction;

	/** The feed's index of the message under way, or -1. */
	private int current = -1;

	/**
	 * The replies owed, in the write that carried the group under way, to what went before it (the
	 * previous message's end of data), read before the group's own.
	 */
	private int answeredBefore;

	/** Set once the data of the message under way went out: what settling it needs. */
	private @Nullable Written written;

	TransactionBatch(TransactionEngine engine, SmtpWire wire, Feed feed, BatchOutcomes outcomes) {
		this.engine = engine;
		this.wire = wire;
		this.feed = feed;
		this.outcomes = outcomes;
	}

	/** Each message as its own transaction, as {@code sendmail} sends it. */
	void sendOneByOne() throws SmtpException {
		for (int index = this.feed.take(); index >= 0; index = this.feed.take()) {
			OutgoingMessage message = this.feed.message(index);
			this.current = index;
			try {
				this.outcomes.sent(index, this.engine.transact(message.envelope(), message.message()));
			}
			catch (SmtpException | RuntimeException ex) {
				if (!this.wire.isConnected()) {
					throw ex;
				}
				this.outcomes.failed(index, ex);
			}
		}
		this.current = -1;
	}

	/** Every message the feed gives, pipelined: {@link #begin()} and {@link #settleCurrent()} until none is left. */
	void sendPipelined() throws SmtpException {
		// Each turn settles at least one message or ends the batch: the feed's size bounds the loop.
		while (begin()) {
			settleCurrent();
		}
	}

	/**
	 * Starts a message in a group of its own when none is under way (the first message, or the last
	 * one went out with nothing behind it, or failed early): takes messages from the feed until one
	 * passes its checks (the others are told as failed) and sends its MAIL, RCPT and DATA.
	 * @return whether a message is under way now; {@code false} when the feed had none
	 */
	public boolean begin() throws SmtpException {
		if (this.transaction != null) {
			// Queued behind the last message's end of data, and sent with it.
			return true;
		}
		Transaction begun = null;
		while (begun == null) {
			int index = this.feed.take();
			if (index < 0) {
				return false;
			}
			this.current = index;
			begun = queue(index);
		}
		this.wire.flush();
		this.answeredBefore = 0;
		// While the group's replies are on their way.
		this.transaction = begun.preparedToWrite();
		return true;
	}

	/**
	 * Settles the message under way: {@link #writeCurrent()}, then, when its data went out,
	 * {@link #settleWritten()}. The next message, if any, is then under way.
	 */
	public void settleCurrent() throws SmtpException {
		if (writeCurrent()) {
			settleWritten();
		}
	}

	/**
	 * Sends the data of the message under way: reads its group's replies and writes its data; takes
	 * the next message from the feed and queues its group behind the end of data, so that both go
	 * out in one write. A message whose group was refused is told as failed, and nothing is under
	 * way then.
	 * @return whether its data went out, so that its outcome is the next reply to read
	 */
	public boolean writeCurrent() throws SmtpException {
		Transaction writing = this.transaction;
		if (writing == null || this.written != null) {
			throw new IllegalStateException("No message is under way with its data still to write");
		}
		GroupReplies replies;
		try {
			replies = this.engine.readGroupReplies(writing, this.answeredBefore);
			this.engine.writeMessageOf(writing, replies.dataReply(), false);
		}
		catch (SmtpException ex) {
			if (!this.wire.isConnected()) {
				throw ex;
			}
			int failed = this.current;
			nothingUnderWay();
			this.outcomes.failed(failed, ex);
			return false;
		}
		// The next message's commands join the end of this one's data in one write.
		Transaction following = null;
		int followingIndex = -1;
		while (following == null) {
			followingIndex = this.feed.take();
			if (followingIndex < 0) {
				break;
			}
			following = queue(followingIndex);
		}
		this.wire.flush();
		// While this message's outcome and the next one's group replies are on their way.
		this.written = new Written(replies.refused(), (following != null) ? following.preparedToWrite() : null,
				followingIndex);
		return true;
	}

	/**
	 * Whether the data of the message under way went out ({@link #writeCurrent()}), so that
	 * {@link #settleWritten()} is its next step.
	 */
	public boolean currentWritten() {
		return this.written != null;
	}

	/**
	 * Reads the outcome of the message whose data went out and tells it. The message taken behind
	 * it, if any, is then under way, its group written and its replies due next.
	 */
	public void settleWritten() throws SmtpException {
		Written settling = this.written;
		if (settling == null) {
			throw new IllegalStateException("No message under way has its data written");
		}
		int endOfDataReplies = this.engine.endOfDataReplyCount();
		int settled = this.current;
		try {
			// With nothing queued behind it, a refused message is followed by RSET as in sendmail.
			this.outcomes.sent(settled, this.engine.outcome(this.engine.readMessageOutcome(),
					settling.refused(), settling.following() == null));
		}
		catch (SmtpException ex) {
			if (!this.wire.isConnected()) {
				throw ex;
			}
			this.outcomes.failed(settled, ex);
		}
		this.engine.messageSettled();
		Transaction following = settling.following();
		if (following == null) {
			nothingUnderWay();
			return;
		}
		this.transaction = following;
		this.current = settling.followingIndex();
		this.answeredBefore = endOfDataReplies;
		this.written = null;
		if (!this.wire.isConnected()) {
			// The message was delivered to some recipients with a 421 for another (LMTP): the
			// server is closing, and the next message's commands are unanswered and not sent.
			throw new SmtpServerDisconnectedException("The server closed the connection (421) before"
					+ " answering the next message's commands");
		}
	}

	/**
	 * What {@link #writeCurrent()} leaves for {@link #settleWritten()}: the recipients refused in the
	 * group, and the message queued behind the end of data ({@code null}, -1 when none).
	 */
	private record Written(Map<String, SmtpReply> refused, @Nullable Transaction following, int followingIndex) {
	}

	/**
	 * The feed's index of the message under way (its group written, or being written), which is
	 * the one a thrown failure broke on; -1 when none is.
	 */
	public int current() {
		return this.current;
	}

	private void nothingUnderWay() {
		this.transaction = null;
		this.written = null;
		this.current = -1;
		this.answeredBefore = 0;
	}

	/**
	 * Checks a message and writes its MAIL, RCPT and DATA without sending them; or, when a check
	 * fails (nothing is written then), tells its failure and gives {@code null}.
	 */
	private @Nullable Transaction queue(int index) throws SmtpException {
		OutgoingMessage message = this.feed.message(index);
		try {
			Transaction transaction = this.engine.prepare(message.envelope(), message.message());
			this.engine.queueGroup(transaction);
			return transaction;
		}
		catch (SmtpException | IllegalArgumentException ex) {
			// Nothing of this message was written, and the one before may be under way: no RSET here.
			if (!this.wire.isConnected()) {
				throw ex;
			}
			this.outcomes.failed(index, ex);
			return null;
		}
	}

}
