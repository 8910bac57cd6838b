package io.github.smtpkit.internal;

import java.util.List;

import io.github.smtpkit.MessageSource;

/**
 * A transaction checked and ready to go: the sender and recipients, their MAIL and RCPT lines
 * made and encoded, the message, and whether it goes to all recipients or to none.
 */
record Transaction(String from, List<String> to, PreparedCommand mail, List<PreparedCommand> rcpts,
		MessageSource source, byte[] shown, boolean chunked, boolean requireAllRecipients) {

	/**
	 * Whether DATA goes in the pipelined group: not with BDAT, whose chunks follow once the
	 * recipients are known. It goes there when all recipients are required too, so that the
	 * usual case, every recipient accepted, costs no extra round trip; the rare refusal then
	 * costs the connection ({@code TransactionEngine.requireAllAccepted}).
	 */
	boolean dataInGroup() {
		return !this.chunked;
	}

	/**
	 * This transaction with its message {@linkplain MessageSource#preparedToWrite() prepared to
	 * write}: asked once its commands are on the wire, while their replies are on their way.
	 */
	Transaction preparedToWrite() {
		MessageSource prepared = this.source.preparedToWrite();
		return (prepared == this.source) ? this : new Transaction(this.from, this.to, this.mail, this.rcpts, prepared,
				this.shown, this.chunked, this.requireAllRecipients);
	}

	/** How many commands a pipelined group of it holds: MAIL, each RCPT and perhaps DATA. */
	int groupSize() {
		return 1 + this.rcpts.size() + (dataInGroup() ? 1 : 0);
	}

}
