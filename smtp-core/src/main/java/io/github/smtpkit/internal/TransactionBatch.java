package io.github.smtpkit.internal;

import java.util.List;

import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.internal.TransactionEngine.BatchOutcomes;
import io.github.smtpkit.internal.TransactionEngine.GroupReplies;

/**
 * The messages of one {@link TransactionEngine#sendEach} call over one session, in order: one
 * transaction after another, or pipelined so that each message's end of data shares a write with
 * the next message's MAIL, RCPT and DATA (RFC 2920 3.1 lets message content open a group).
 *
 * <p>A message that fails by itself is told to the {@link BatchOutcomes} and the batch goes on; a
 * failure that leaves the session unusable ends the batch by being thrown, with the message it
 * broke on the first one not told about.
 */
final class TransactionBatch {

	private final TransactionEngine engine;

	private final SmtpWire wire;

	private final List<OutgoingMessage> messages;

	private final BatchOutcomes outcomes;

	TransactionBatch(TransactionEngine engine, SmtpWire wire, List<OutgoingMessage> messages,
			BatchOutcomes outcomes) {
		this.engine = engine;
		this.wire = wire;
		this.messages = messages;
		this.outcomes = outcomes;
	}

	/** Each message as its own transaction, as {@code sendmail} sends it. */
	void sendOneByOne() throws SmtpException {
		for (int i = 0; i < this.messages.size(); i++) {
			try {
				this.outcomes.sent(i, this.engine.transact(this.messages.get(i).envelope(), this.messages.get(i).message()));
			}
			catch (SmtpException | RuntimeException ex) {
				if (!this.wire.isConnected()) {
					throw ex;
				}
				this.outcomes.failed(i, ex);
			}
		}
	}

	/**
	 * Each message's group read, its data written, and (before the data's reply is read) the next
	 * message's group queued behind it, so that both go out in one write.
	 */
	void sendPipelined() throws SmtpException {
		int next = 0;
		int current = -1;
		Transaction transaction = null;
		int answeredBefore = 0;
		// Each turn settles at least one message or ends the batch: the batch's size bounds the loop.
		while (true) {
			if (transaction == null) {
				// Nothing under way (the first message, or the last one failed early): a group of its own.
				for (; transaction == null && next < this.messages.size(); next++) {
					transaction = queue(next);
					current = next;
				}
				if (transaction == null) {
					return;
				}
				this.wire.flush();
				answeredBefore = 0;
			}
			GroupReplies replies;
			try {
				replies = this.engine.readGroupReplies(transaction, answeredBefore);
				this.engine.writeMessageOf(transaction, replies.dataReply(), false);
			}
			catch (SmtpException ex) {
				if (!this.wire.isConnected()) {
					throw ex;
				}
				this.outcomes.failed(current, ex);
				transaction = null;
				continue;
			}
			int endOfDataReplies = this.engine.endOfDataReplyCount();
			// The next message's commands join the end of this one's data in one write.
			Transaction following = null;
			int followingIndex = -1;
			for (; following == null && next < this.messages.size(); next++) {
				following = queue(next);
				followingIndex = next;
			}
			this.wire.flush();
			try {
				// With nothing queued behind it, a refused message is followed by RSET as in sendmail.
				this.outcomes.sent(current,
						this.engine.outcome(this.engine.readMessageOutcome(), replies.refused(), following == null));
			}
			catch (SmtpException ex) {
				if (!this.wire.isConnected()) {
					throw ex;
				}
				this.outcomes.failed(current, ex);
			}
			this.engine.messageSettled();
			if (following != null && !this.wire.isConnected()) {
				// The message was delivered to some recipients with a 421 for another (LMTP): the
				// server is closing, and the next message's commands are unanswered and not sent.
				throw new SmtpServerDisconnectedException("The server closed the connection (421) before"
						+ " answering the next message's commands");
			}
			transaction = following;
			current = followingIndex;
			answeredBefore = endOfDataReplies;
			if (transaction == null) {
				return;
			}
		}
	}

	/**
	 * Checks a message and writes its MAIL, RCPT and DATA without sending them; or, when a check
	 * fails (nothing is written then), tells its failure and gives {@code null}.
	 */
	private Transaction queue(int index) throws SmtpException {
		OutgoingMessage message = this.messages.get(index);
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
