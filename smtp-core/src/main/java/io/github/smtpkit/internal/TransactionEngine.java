package io.github.smtpkit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SmtpAmbiguousOutcomeException;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.SmtpRequireTlsException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSenderRefusedException;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.SmtpTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The mail transactions of one session: MAIL, RCPT and DATA (or BDAT) and the replies after the
 * message, one command at a time or pipelined (RFC 2920), for SMTP and LMTP; and the batch that
 * {@code SmtpClient.sendAll} drives, where each message's end of data shares a write with the next
 * message's commands. Both facades use it: {@code SmtpSession}'s {@code mail}, {@code rcpt},
 * {@code data}, {@code rset} and {@code sendmail}, and {@code SmtpClient} for every send.
 *
 * <p>Refusals are reported exactly as smtplib's {@code sendmail} reports them, pipelined or not;
 * after a refused transaction RSET follows (or, after a 421, the connection is closed), so that
 * the session is ready for the next one.
 *
 * <p>It writes and reads only through the {@link SmtpWire}; what the server said in EHLO, and
 * saying it when needed, it asks of the session through {@link Session}. Not thread-safe.
 */
public final class TransactionEngine {

	/**
	 * What the engine asks of the session that drives it: the server's EHLO state (said first if
	 * needed), and what the public types keep to their package.
	 */
	public interface Session {

		/** Says EHLO (or HELO) unless it was said on this connection: smtplib's {@code ehlo_or_helo_if_needed}. */
		void greetIfNeeded() throws SmtpException;

		/** Whether the server answered EHLO with 250: options are sent only then. */
		boolean doesEsmtp();

		/** What the server advertised in its EHLO reply. */
		EsmtpFeatures features();

		/** The envelope's MAIL options for this server: its DSN request only if the server takes it. */
		List<String> mailOptionsFor(Envelope envelope);

		/** The envelope's RCPT options for this server: its DSN request only if the server takes it. */
		List<String> rcptOptionsFor(Envelope envelope);

		/** The refusal of an envelope that requires all of its {@code total} recipients. */
		SmtpRecipientsRefusedException notAllAccepted(Map<String, SmtpReply> refused, int total);

	}

	/** What became of each message of {@link #sendEach}, told as soon as it is known. */
	public interface BatchOutcomes {

		/**
		 * The message went out and at least one recipient took it; {@link #lastDataReply()} and
		 * {@link #dataReplies()} describe it until the next outcome.
		 * @param refused the refused recipients, as {@code sendmail} returns them
		 */
		void sent(int index, Map<String, SmtpReply> refused);

		/**
		 * The message failed by itself, as {@code sendmail} would have thrown (refused, too large,
		 * an address it could not send); the session is still usable.
		 */
		void failed(int index, Exception failure);

	}

	private final SmtpWire wire;

	private final Session session;

	private final boolean lmtp;

	/** Not final: {@code SmtpClient} turns it off for a server that mishandles PIPELINING. */
	private boolean pipelining;

	private final MessageWriter messageWriter;

	/** Checks a transaction and makes its MAIL and RCPT lines before anything is sent. */
	private final TransactionPreparer preparer;

	/** Recipients accepted since the last MAIL: LMTP answers once for each after the data. */
	private final List<String> acceptedRecipients = new ArrayList<>();

	private Map<String, SmtpReply> dataReplies = Map.of();

	/** Whether the last message's terminating dot went out: see {@link #endOfDataSent()}. */
	private boolean endOfDataSent;

	/** Whether the last transaction stalled in a pipelined group: see {@link #pipeliningStalled()}. */
	private boolean pipeliningStalled;

	private SmtpReply lastDataReply;

	/**
	 * @param pipelining whether transactions are pipelined when the server advertises PIPELINING
	 * @param chunking whether messages go in BDAT chunks when the server advertises CHUNKING
	 * @param dataTimeout the bound on sending one whole message, or {@code null} for none
	 */
	public TransactionEngine(SmtpWire wire, Session session, SmtpProtocol protocol, boolean pipelining,
			boolean chunking, Duration dataTimeout) {
		this.wire = wire;
		this.session = session;
		this.lmtp = protocol == SmtpProtocol.LMTP;
		this.pipelining = pipelining;
		this.messageWriter = new MessageWriter(wire, dataTimeout);
		this.preparer = new TransactionPreparer(wire, session, chunking);
	}

	// ---------------------------------------------------------------- smtplib's single commands

	/**
	 * {@code MAIL FROM:<sender>} with the options (only to an ESMTP server); {@code SMTPUTF8}
	 * makes commands UTF-8 from now on, as in smtplib.
	 * @throws SmtpNotSupportedException if {@code SMTPUTF8} is asked for but not advertised
	 * @throws SmtpRequireTlsException if {@code REQUIRETLS} is asked for and the connection may
	 * not carry it (RFC 8689): not TLS, not verified, or not advertised
	 */
	public SmtpReply mail(String sender, List<String> options) throws SmtpException {
		// Checked before the address parser sees it, which would drop what follows a line break.
		CommandLines.requireSingleLine("sender", sender);
		options.forEach((option) -> CommandLines.requireSingleLine("MAIL option", option));
		this.preparer.checkRequireTls(options);
		if (this.preparer.requestsSmtputf8(options)) {
			this.wire.useCommandEncoding(StandardCharsets.UTF_8);
		}
		this.acceptedRecipients.clear();
		return command("MAIL FROM:" + Addresses.quote(sender) + this.preparer.optionSuffix(options));
	}

	/** {@code RCPT TO:<recipient>} with the options (only to an ESMTP server). */
	public SmtpReply rcpt(String recipient, List<String> options) throws SmtpException {
		CommandLines.requireSingleLine("recipient", recipient);
		options.forEach((option) -> CommandLines.requireSingleLine("RCPT option", option));
		SmtpReply reply = command("RCPT TO:" + Addresses.quote(recipient) + this.preparer.optionSuffix(options));
		noteRecipientReply(recipient, reply);
		return reply;
	}

	/**
	 * DATA, the message and the reply after it (for LMTP, one per accepted recipient).
	 * @param shown the message bytes for debug output, or {@code null} when streamed
	 * @throws SmtpDataException if DATA is not answered with 354 (nothing is sent then)
	 * @throws MessageSourceException (unchecked) when the source fails
	 */
	public SmtpReply data(MessageSource source, byte[] shown) throws SmtpException {
		this.endOfDataSent = false;
		SmtpReply dataReply = command("DATA");
		writeMessageAfter(dataReply, source, shown, true);
		return readMessageOutcome();
	}

	/** RSET: ends any mail transaction, and commands go back to ASCII. */
	public SmtpReply rset() throws SmtpException {
		this.wire.useCommandEncoding(StandardCharsets.US_ASCII);
		this.acceptedRecipients.clear();
		return command("RSET");
	}

	/** RSET that ignores a server which has gone: its absence shows at the next command. */
	private void rsetQuietly() throws SmtpException {
		try {
			rset();
		}
		catch (SmtpServerDisconnectedException ex) {
			// As smtplib's _rset(): the caller is already reporting a failure; this one can wait.
		}
	}

	/** The connection is gone: no transaction is open any more. */
	public void connectionClosed() {
		this.acceptedRecipients.clear();
	}

	private SmtpReply command(String line) throws SmtpException {
		this.wire.writeCommand(CommandLines.requireSingleLine("command and arguments", line));
		return this.wire.readReply();
	}

	private void noteRecipientReply(String recipient, SmtpReply reply) {
		if (reply.code() == 250 || reply.code() == 251) {
			this.acceptedRecipients.add(recipient);
		}
	}

	// ---------------------------------------------------------------- whole transactions

	/**
	 * One mail transaction, smtplib's {@code sendmail}: checks, EHLO if needed, then MAIL, RCPT,
	 * DATA and the message, one at a time or pipelined.
	 * @param shown the message bytes for debug output, or {@code null} when streamed
	 * @return the refused recipients with their replies, in order
	 * @throws MessageSourceException (unchecked) when the source fails
	 */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, List<String> mailOptions,
			List<String> rcptOptions, MessageSource source, byte[] shown) throws SmtpException {
		startTransaction();
		return transact(this.preparer.prepare(from, to, mailOptions, rcptOptions, false, source, shown));
	}

	/**
	 * One mail transaction of an envelope, as {@link TransactionPreparer#prepare(Envelope,
	 * MessageSource)} makes it.
	 */
	public Map<String, SmtpReply> transact(Envelope envelope, MessageSource source) throws SmtpException {
		startTransaction();
		return transact(this.preparer.prepare(envelope, source));
	}

	/** Forgets what the last transaction left behind, before a new one is prepared. */
	private void startTransaction() {
		this.endOfDataSent = false;
		this.pipeliningStalled = false;
		this.lastDataReply = null;
	}

	/** Sends a prepared transaction, one command at a time or pipelined. */
	private Map<String, SmtpReply> transact(Transaction transaction) throws SmtpException {
		if (usePipelining()) {
			return transactPipelined(transaction);
		}
		this.acceptedRecipients.clear();
		SmtpReply reply = command(transaction.mail());
		if (reply.code() != 250) {
			closeOn421OrReset(reply);
			throw new SmtpSenderRefusedException(reply.code(), reply.message(), transaction.from());
		}
		Map<String, SmtpReply> refused = new LinkedHashMap<>();
		for (int i = 0; i < transaction.to().size(); i++) {
			String recipient = transaction.to().get(i);
			SmtpReply recipientReply = command(transaction.rcpts().get(i));
			noteRecipientReply(recipient, recipientReply);
			checkRecipientReply(recipient, recipientReply, refused);
		}
		if (refused.size() == transaction.to().size()) {
			rsetQuietly();
			throw new SmtpRecipientsRefusedException(refused);
		}
		requireAllAccepted(transaction, refused, null);
		if (transaction.chunked()) {
			return outcome(bdat(transaction.source()), refused, true);
		}
		writeMessageOf(transaction, command(PreparedCommand.DATA), true);
		return outcome(readMessageOutcome(), refused, true);
	}

	/** How the batch prepares each message: {@link TransactionPreparer#prepare(Envelope, MessageSource)}. */
	Transaction prepare(Envelope envelope, MessageSource source) throws SmtpException {
		return this.preparer.prepare(envelope, source);
	}

	/** Sends a prepared command and reads its reply. */
	private SmtpReply command(PreparedCommand command) throws SmtpException {
		this.wire.write(command, true);
		return this.wire.readReply();
	}

	/** Whether transactions are pipelined: asked for, and advertised by the server. */
	private boolean usePipelining() {
		return this.pipelining && this.session.doesEsmtp() && this.session.features().has("pipelining");
	}

	// ---------------------------------------------------------------- pipelined groups

	/**
	 * The transaction with PIPELINING (RFC 2920): MAIL, every RCPT and DATA go out in one write,
	 * and their replies are matched back in order. The outcome, refusals included, is reported
	 * exactly as without pipelining. With BDAT, a message that fits one chunk goes in that write
	 * too ({@link #chunkInGroup}); a larger one follows once the RCPT replies are in.
	 */
	private Map<String, SmtpReply> transactPipelined(Transaction transaction) throws SmtpException {
		queueGroup(transaction);
		if (chunkInGroup(transaction)) {
			// MAIL, RCPT, BDAT LAST and the message in one write, then every reply: one round trip.
			long written = this.messageWriter.write(transaction.source(),
					(connection) -> BdatOutputStream.oneChunk(connection, this.wire, transaction.source().size()), true);
			endOfDataWritten(null, written);
			GroupReplies replies = readGroupReplies(transaction, 0, true);
			return outcome(readMessageOutcome(), replies.refused(), true);
		}
		this.wire.flush();
		// While the group's replies are on their way.
		Transaction writing = transaction.preparedToWrite();
		GroupReplies replies = readGroupReplies(writing, 0);
		if (writing.chunked()) {
			return outcome(bdat(writing.source()), replies.refused(), true);
		}
		writeMessageOf(writing, replies.dataReply(), true);
		return outcome(readMessageOutcome(), replies.refused(), true);
	}

	/**
	 * Whether the whole message goes out with its pipelined MAIL and RCPT as one {@code BDAT n LAST}
	 * chunk (RFC 3030 4.2: BDAT may be pipelined; after refused recipients it is answered with a
	 * failure). Not when all recipients are required (a LAST chunk cannot be taken back once a
	 * recipient is refused), not for LMTP (how many replies follow the chunk depends on the RCPT
	 * replies), and not for a message of unknown size or too large for one chunk (each chunk but
	 * the last waits for its reply).
	 */
	private boolean chunkInGroup(Transaction transaction) {
		long size = transaction.source().size();
		return transaction.chunked() && !this.lmtp && !transaction.requireAllRecipients() && size >= 0
				&& size <= BdatOutputStream.CHUNK_SIZE;
	}

	/**
	 * Writes MAIL, every RCPT and, when {@link Transaction#dataInGroup()}, DATA without sending
	 * them yet.
	 */
	void queueGroup(Transaction transaction) throws SmtpException {
		this.wire.write(transaction.mail(), false);
		for (PreparedCommand rcpt : transaction.rcpts()) {
			this.wire.write(rcpt, false);
		}
		if (transaction.dataInGroup()) {
			this.wire.write(PreparedCommand.DATA, false);
		}
	}

	/** The refused recipients of a pipelined group, and the reply to its DATA ({@code null} with BDAT). */
	record GroupReplies(Map<String, SmtpReply> refused, SmtpReply dataReply) {
	}

	/**
	 * Reads the replies to a pipelined group, in order, and reports a refused sender, all
	 * recipients refused, or a 421 exactly as without pipelining. A 421 ends the dialogue (RFC 5321
	 * 3.8): the server answers nothing after it, so it is reported where it came. When all
	 * recipients are required, a refused one ends the transaction before any message data
	 * ({@link #requireAllAccepted}).
	 *
	 * <p>RSET may follow here because nothing else is on its way: the caller writes the next
	 * commands (the next message's group, in {@link TransactionBatch#writeCurrent}) only after this group's
	 * replies are all read and its message written.
	 * @param answeredBefore the replies already read for commands that went out in the same write
	 * (the end of the previous message): a server that answered those and then nothing of this
	 * group has mishandled the pipelining just the same
	 * @throws SmtpServerDisconnectedException (or its kind {@link SmtpTimeoutException}) when the
	 * server hung up or fell silent; after part of the group was answered, it says that the server
	 * may mishandle PIPELINING, and {@link #pipeliningStalled()} is set
	 */
	GroupReplies readGroupReplies(Transaction transaction, int answeredBefore) throws SmtpException {
		return readGroupReplies(transaction, answeredBefore, false);
	}

	/**
	 * {@link #readGroupReplies(Transaction, int)}, where {@code chunkSent} says that the whole
	 * message followed the group as its one BDAT LAST chunk ({@link #chunkInGroup}). Its reply is
	 * then read after the group's by {@link #readMessageOutcome()}; but when the sender or every
	 * recipient was refused, or the server is closing (421), no message can have been taken, so
	 * the outcome is no longer in doubt ({@link #endOfDataSent()} is cleared), and the chunk's
	 * reply (a failure, RFC 3030 4.2) is read here, before RSET.
	 */
	private GroupReplies readGroupReplies(Transaction transaction, int answeredBefore, boolean chunkSent)
			throws SmtpException {
		Map<String, SmtpReply> refused = new LinkedHashMap<>();
		this.acceptedRecipients.clear();
		SmtpReply mailReply;
		SmtpReply dataReply = null;
		int answered = answeredBefore;
		try {
			mailReply = this.wire.readReply();
			answered++;
			if (mailReply.isServiceClosing()) {
				this.endOfDataSent = false;
				this.wire.disconnect();
				throw new SmtpSenderRefusedException(mailReply.code(), mailReply.message(), transaction.from());
			}
			for (String recipient : transaction.to()) {
				SmtpReply reply = this.wire.readReply();
				answered++;
				if (reply.isServiceClosing()) {
					// The server closes without reading on: a chunk sent behind this RCPT is not taken.
					this.endOfDataSent = false;
				}
				noteRecipientReply(recipient, reply);
				checkRecipientReply(recipient, reply, refused);
			}
			if (transaction.dataInGroup()) {
				dataReply = this.wire.readReply();
			}
		}
		catch (SmtpServerDisconnectedException ex) {
			// A timeout too: SmtpTimeoutException is a kind of it.
			if (answered == 0) {
				throw ex;
			}
			throw pipeliningStalled(ex, answered, answeredBefore + transaction.groupSize());
		}
		if (dataReply != null && dataReply.isServiceClosing()) {
			this.wire.disconnect();
			throw new SmtpDataException(dataReply.code(), dataReply.message());
		}
		boolean nothingToDeliver = mailReply.code() != 250 || refused.size() == transaction.to().size();
		if (nothingToDeliver) {
			if (dataReply != null && dataReply.code() == 354) {
				// DATA went out before the refusals came back and the server took it (RFC 2920 3.1):
				// end the empty message at once; without recipients the server must refuse it.
				this.wire.write(this.wire.encode(".\r\n"), SmtpEventListener.END_OF_DATA, ".", true, true);
				this.wire.readReply();
			}
			if (chunkSent) {
				readRefusedChunkReply();
			}
			rsetQuietly();
			if (mailReply.code() != 250) {
				throw new SmtpSenderRefusedException(mailReply.code(), mailReply.message(), transaction.from());
			}
			throw new SmtpRecipientsRefusedException(refused);
		}
		requireAllAccepted(transaction, refused, dataReply);
		return new GroupReplies(refused, dataReply);
	}

	/**
	 * Reads the reply to a BDAT LAST chunk that followed a refused sender or refused recipients:
	 * with no transaction or no recipient, nothing can have been delivered, so the message is
	 * settled whatever comes. A server that hangs up instead has closed the session; the refusal
	 * is reported all the same.
	 */
	private void readRefusedChunkReply() throws SmtpException {
		this.endOfDataSent = false;
		try {
			this.wire.readReply();
		}
		catch (SmtpServerDisconnectedException ex) {
			// Disconnected already; the refusal the caller throws next says what happened.
		}
	}

	/**
	 * The server answered the start of a pipelined group and then fell silent or hung up: the
	 * signature of a server that advertises PIPELINING but reads one command at a time and drops
	 * what else was in its input. Remembered for {@link #pipeliningStalled()}, and said in the
	 * exception, which keeps its type.
	 */
	private SmtpServerDisconnectedException pipeliningStalled(SmtpServerDisconnectedException ex, int answered,
			int sent) {
		this.pipeliningStalled = true;
		String message = ex.getMessage() + ", after it had answered " + answered + " of " + sent
				+ " pipelined commands: it may mishandle PIPELINING (RFC 2920) although it advertises it";
		return (ex instanceof SmtpTimeoutException) ? new SmtpTimeoutException(message, ex)
				: new SmtpServerDisconnectedException(message, ex);
	}

	// ---------------------------------------------------------------- the batch

	/**
	 * Sends messages one after another, each as {@code sendmail} would (but all or nothing when its
	 * envelope {@linkplain Envelope#requireAllRecipients() requires all recipients}, and with its
	 * {@linkplain Envelope#withDsn DSN request} when the server advertises DSN), telling each
	 * outcome as soon as it is known. With PIPELINING (on, and advertised) and without BDAT, a
	 * message's data and end go out in one write with the next message's MAIL, RCPT and DATA: RFC
	 * 2920 3.1 lets message content open a group. A message then costs one round trip instead of
	 * two. With BDAT, the messages go one transaction at a time, each in one round trip when it
	 * fits one chunk ({@link #chunkInGroup}).
	 * @throws SmtpException the failure that left the session unusable (it is closed): the first
	 * message not told about was then under way, its data sent if {@link #endOfDataSent()}; the
	 * messages after it were not sent
	 * @throws MessageSourceException (unchecked) likewise, when a message source failed
	 */
	public void sendEach(List<OutgoingMessage> messages, BatchOutcomes outcomes) throws SmtpException {
		TransactionBatch batch = newBatch(TransactionBatch.Feed.of(messages), outcomes);
		if (pipelinesBatches()) {
			batch.sendPipelined();
		}
		else {
			batch.sendOneByOne();
		}
	}

	/**
	 * A pipelined batch that takes its messages from the feed as it goes, for a caller that drives
	 * it step by step ({@link TransactionBatch#begin()}, {@link TransactionBatch#writeCurrent()},
	 * {@link TransactionBatch#settleWritten()}),
	 * with the guarantees and the failures of {@link #sendEach}; or {@code null} when this session
	 * does not pipeline batches (no PIPELINING, or BDAT), and each message is to be sent alone.
	 */
	public @Nullable TransactionBatch pipelinedBatch(TransactionBatch.Feed feed, BatchOutcomes outcomes)
			throws SmtpException {
		TransactionBatch batch = newBatch(feed, outcomes);
		return pipelinesBatches() ? batch : null;
	}

	private TransactionBatch newBatch(TransactionBatch.Feed feed, BatchOutcomes outcomes) throws SmtpException {
		this.endOfDataSent = false;
		this.pipeliningStalled = false;
		this.session.greetIfNeeded();
		return new TransactionBatch(this, this.wire, feed, outcomes);
	}

	/** Whether a batch goes pipelined: PIPELINING on and advertised, and no BDAT. */
	private boolean pipelinesBatches() {
		return usePipelining() && !this.preparer.useChunking();
	}

	// ---------------------------------------------------------------- the message and its outcome

	/**
	 * Given DATA's reply, writes the transaction's message. A refused DATA ends the transaction
	 * first, with RSET (or, after 421, by closing): smtplib's {@code sendmail} leaves it open, and
	 * the next MAIL would be refused as a nested one.
	 * @throws SmtpDataException if DATA was not answered with 354
	 */
	void writeMessageOf(Transaction transaction, SmtpReply dataReply, boolean flush) throws SmtpException {
		if (dataReply.code() != 354) {
			closeOn421OrReset(dataReply);
		}
		writeMessageAfter(dataReply, transaction.source(), transaction.shown(), flush);
	}

	/**
	 * Given DATA's reply, writes the message, dot-stuffed and ended with {@code .CRLF}.
	 * @param flush whether to send it all now; when not, the end of the message waits in the buffer
	 * for the next commands to join it
	 * @throws SmtpDataException if DATA was not answered with 354 (nothing is written then)
	 */
	private void writeMessageAfter(SmtpReply dataReply, MessageSource source, byte[] shown, boolean flush)
			throws SmtpException {
		if (this.wire.debug().isEnabled()) {
			this.wire.debug().print("data:", "(" + dataReply.code() + ", " + DebugLog.repr(dataReply.message()) + ")");
		}
		if (dataReply.code() != 354) {
			throw new SmtpDataException(dataReply.code(), dataReply.message());
		}
		long written = this.messageWriter.write(source, DotStuffingOutputStream::new, flush);
		endOfDataWritten(shown, written);
	}

	/**
	 * Sends the message in BDAT chunks (RFC 3030) instead of DATA and reads the outcome: no
	 * dot-stuffing, and the server knows each chunk's length.
	 */
	private SmtpReply bdat(MessageSource source) throws SmtpException {
		long written = this.messageWriter.write(source,
				(connection) -> new BdatOutputStream(connection, this.wire, source.size(), this::closeOn421OrReset),
				false); // each chunk, the last included, is flushed as it is sent
		endOfDataWritten(null, written);
		return readMessageOutcome();
	}

	/**
	 * The message's end is written, if perhaps not yet flushed: a lost reply from here on leaves
	 * the outcome unknown. Its replies are expected now, before any command that may follow in the
	 * same write, so that replies are matched to what they answer in order.
	 */
	private void endOfDataWritten(byte[] shown, long written) {
		this.endOfDataSent = true;
		this.wire.expectReplies(SmtpEventListener.END_OF_DATA, endOfDataReplyCount(), System.nanoTime());
		if (this.wire.debug().isEnabled()) {
			this.wire.debug().print("send:", MessageWriter.describe(shown, written));
		}
		if (this.wire.isListening()) {
			SmtpEndpoint target = this.wire.endpoint();
			this.wire.event((l) -> l.messageDataSent(target, written));
		}
	}

	/**
	 * Reads the reply after the message (for LMTP, one per accepted recipient) and records it.
	 * @throws SmtpAmbiguousOutcomeException if what came is not a reply; disconnected
	 */
	SmtpReply readMessageOutcome() throws SmtpException {
		SmtpReply result = this.lmtp ? readLmtpReplies() : requireCompletionReply(this.wire.readReply());
		if (!this.lmtp) {
			this.dataReplies = sameReplyForEach(this.acceptedRecipients, result);
		}
		this.acceptedRecipients.clear();
		this.lastDataReply = result;
		if (this.wire.debug().isEnabled()) {
			this.wire.debug().print("data:", "(" + result.code() + ", " + DebugLog.repr(result.message()) + ")");
		}
		return result;
	}

	/** Each recipient with the one reply, in order: for one recipient (the usual case) without a hash map. */
	private static Map<String, SmtpReply> sameReplyForEach(List<String> recipients, SmtpReply reply) {
		if (recipients.size() == 1) {
			return Collections.singletonMap(recipients.get(0), reply);
		}
		Map<String, SmtpReply> replies = new LinkedHashMap<>();
		recipients.forEach((recipient) -> replies.put(recipient, reply));
		return Collections.unmodifiableMap(replies);
	}

	/**
	 * LMTP (RFC 2033 4.2) answers the message once per accepted recipient, in RCPT order. smtplib
	 * reads only the first reply and leaves the rest to confuse the next command; all are read here.
	 */
	private SmtpReply readLmtpReplies() throws SmtpException {
		Map<String, SmtpReply> replies = new LinkedHashMap<>();
		SmtpReply firstRefusal = null;
		SmtpReply last = null;
		int expected = endOfDataReplyCount();
		for (int i = 0; i < expected; i++) {
			last = requireCompletionReply(this.wire.readReply());
			if (i < this.acceptedRecipients.size()) {
				replies.put(this.acceptedRecipients.get(i), last);
			}
			if (firstRefusal == null && last.code() != 250) {
				firstRefusal = last;
			}
		}
		this.dataReplies = Collections.unmodifiableMap(replies);
		return (firstRefusal != null) ? firstRefusal : last;
	}

	/**
	 * Checks that what answered the end of the message is a reply that says something: a 2xx, 4xx
	 * or 5xx code. Anything else (no number at all, {@code 2_5}, a 3xx) tells nothing of the
	 * message, which the server has whole and may have accepted: reporting it as refused would make
	 * a caller send it twice. The connection is closed, as it is out of step.
	 * @throws SmtpAmbiguousOutcomeException if it is not such a reply; disconnected
	 */
	private SmtpReply requireCompletionReply(SmtpReply reply) throws SmtpAmbiguousOutcomeException {
		int code = reply.code();
		if (code >= 200 && code <= 299 || code >= 400 && code <= 599) {
			return reply;
		}
		SmtpEndpoint target = this.wire.endpoint();
		this.wire.disconnect();
		throw new SmtpAmbiguousOutcomeException(target + " answered the end of the message with what is not an SMTP"
				+ " reply (code " + code + ", " + DebugLog.repr(reply.message()) + "): the server has the whole"
				+ " message and may have accepted it, so it was not sent again; the connection was closed", null);
	}

	/** How many replies follow the end of the message: for LMTP one per accepted recipient. */
	int endOfDataReplyCount() {
		// Without an accepted recipient (RCPT sent by hand through docmd), one reply is all there is.
		return this.lmtp ? Math.max(1, this.acceptedRecipients.size()) : 1;
	}

	/**
	 * Adds a refused recipient to the map. A 421 ends the transaction: the server is closing the
	 * connection, so the session closes too and reports the refusals so far.
	 */
	private void checkRecipientReply(String recipient, SmtpReply reply, Map<String, SmtpReply> refused)
			throws SmtpRecipientsRefusedException {
		if (reply.code() != 250 && reply.code() != 251) {
			refused.put(recipient, reply);
		}
		if (reply.isServiceClosing()) {
			this.wire.disconnect();
			throw new SmtpRecipientsRefusedException(refused);
		}
	}

	/**
	 * When the transaction requires all recipients and the server refused some (not all: that is
	 * checked first, as for any transaction), ends it before any message data: nothing is
	 * delivered. A 421 has closed the session before this.
	 * @param dataReply the reply to a DATA pipelined with the recipients, or {@code null} when none
	 * was sent. After its 354 the server takes everything as message data until the final dot, so
	 * the only way to abandon the transaction is to close the connection (the server discards the
	 * unfinished message); otherwise RSET ends it and the session stays usable
	 * @throws SmtpRecipientsRefusedException with the refused recipients, if any
	 */
	private void requireAllAccepted(Transaction transaction, Map<String, SmtpReply> refused,
			SmtpReply dataReply) throws SmtpException {
		if (!transaction.requireAllRecipients() || refused.isEmpty()) {
			return;
		}
		if (dataReply != null && dataReply.code() == 354) {
			this.wire.disconnect();
		}
		else {
			rsetQuietly();
		}
		throw this.session.notAllAccepted(refused, transaction.to().size());
	}

	/**
	 * The end of a transaction whose message went out: refusals after the data, or the refused map.
	 * @param resetAfterRefusal whether a refused message is followed by RSET, as smtplib does; the
	 * transaction is over either way (RFC 5321 4.1.1.4), and RSET must not come between replies
	 * when the next transaction's commands are already on their way
	 */
	Map<String, SmtpReply> outcome(SmtpReply reply, Map<String, SmtpReply> refused, boolean resetAfterRefusal)
			throws SmtpException {
		if (this.lmtp) {
			return lmtpOutcome(refused, resetAfterRefusal);
		}
		if (reply.code() != 250) {
			closeOn421OrReset(reply, resetAfterRefusal);
			throw new SmtpDataException(reply.code(), reply.message());
		}
		return Collections.unmodifiableMap(refused);
	}

	/** For LMTP: recipients refused after the data join the refused; all refused is a data error. */
	private Map<String, SmtpReply> lmtpOutcome(Map<String, SmtpReply> refused, boolean resetAfterRefusal)
			throws SmtpException {
		Map<String, SmtpReply> replies = this.dataReplies;
		SmtpReply firstRefusal = null;
		boolean anyAccepted = false;
		boolean serviceClosing = false;
		for (Map.Entry<String, SmtpReply> entry : replies.entrySet()) {
			SmtpReply reply = entry.getValue();
			if (reply.code() == 250) {
				anyAccepted = true;
				continue;
			}
			refused.put(entry.getKey(), reply);
			firstRefusal = (firstRefusal != null) ? firstRefusal : reply;
			serviceClosing |= reply.isServiceClosing();
		}
		boolean refusedByAll = !anyAccepted && firstRefusal != null;
		if (serviceClosing) {
			// The server is closing the channel, whether or not some recipients have the message.
			this.wire.disconnect();
		}
		else if (refusedByAll && resetAfterRefusal) {
			rsetQuietly();
		}
		if (refusedByAll) {
			throw new SmtpDataException(firstRefusal.code(), firstRefusal.message(), replies);
		}
		return Collections.unmodifiableMap(refused);
	}

	/** A 421 means the server is closing the channel (RFC 5321 3.8): close too; else RSET. */
	private void closeOn421OrReset(SmtpReply reply) throws SmtpException {
		closeOn421OrReset(reply, true);
	}

	private void closeOn421OrReset(SmtpReply reply, boolean reset) throws SmtpException {
		if (reply.isServiceClosing()) {
			this.wire.disconnect();
		}
		else if (reset) {
			rsetQuietly();
		}
	}

	// ---------------------------------------------------------------- state

	/**
	 * Whether the end of the last message ({@code CRLF.CRLF}, or BDAT LAST) was written. After
	 * that, a lost reply leaves the outcome unknown: the server may have accepted the message.
	 */
	public boolean endOfDataSent() {
		return this.endOfDataSent;
	}

	/** The batch's message is settled: the next one's end of data has not gone out yet. */
	void messageSettled() {
		this.endOfDataSent = false;
	}

	/**
	 * Whether the last transaction failed because the server answered part of a pipelined group
	 * and then nothing more (a timeout) or hung up. The message data had not been sent, so nothing
	 * was accepted; {@code SmtpClient} then sends again without pipelining.
	 */
	public boolean pipeliningStalled() {
		return this.pipeliningStalled;
	}

	/** Sends one command at a time from now on, whatever the session was built with. */
	public void disablePipelining() {
		this.pipelining = false;
	}

	/**
	 * The reply after the last message (for LMTP its first refusal, or else its last reply), or
	 * {@code null} before any or once a new transaction has begun.
	 */
	public SmtpReply lastDataReply() {
		return this.lastDataReply;
	}

	/**
	 * The reply after the last message, per recipient: for LMTP each recipient's own reply, in
	 * order; for SMTP every accepted recipient maps to the one reply. Empty before any.
	 */
	public Map<String, SmtpReply> dataReplies() {
		return this.dataReplies;
	}

}
