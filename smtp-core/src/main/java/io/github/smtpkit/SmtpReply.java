package io.github.smtpkit;

import java.util.Objects;

/**
 * One reply from an SMTP or LMTP server: the three-digit code and its text.
 *
 * <p>This is smtplib's {@code (code, msg)} tuple. The lines of a multi-line reply are joined with
 * {@code "\n"}, each stripped of the code, the separator and surrounding white space, exactly as
 * smtplib's {@code getreply()} joins them. A reply whose code is not a number has code {@code -1}.
 *
 * @param code the reply code, or {@code -1} when the server's line did not start with a number
 * @param message the reply text without codes; lines joined with {@code "\n"}; never {@code null}
 */
public record SmtpReply(int code, String message) {

	/** The code smtplib reports for a reply whose code is not a number. */
	public static final int MALFORMED_CODE = -1;

	public SmtpReply {
		Objects.requireNonNull(message, "message");
	}

	/** Whether the code is 2xx: the command succeeded. */
	public boolean isPositiveCompletion() {
		return this.code >= 200 && this.code <= 299;
	}

	/** Whether the code is 3xx: the server waits for more (354 after DATA, 334 during AUTH). */
	public boolean isPositiveIntermediate() {
		return this.code >= 300 && this.code <= 399;
	}

	/** Whether the code is 4xx: a transient failure, the same command may succeed later. */
	public boolean isTransientNegative() {
		return this.code >= 400 && this.code <= 499;
	}

	/** Whether the code is 5xx: a permanent failure. */
	public boolean isPermanentNegative() {
		return this.code >= 500 && this.code <= 599;
	}

	/**
	 * Whether the code is 421: the server is closing the transmission channel (RFC 5321 3.8) and
	 * will answer nothing more on this connection.
	 */
	public boolean isServiceClosing() {
		return this.code == 421;
	}

	/** The reply class as metrics name it: {@code "2xx"} ... {@code "5xx"}, or {@code "malformed"}. */
	public String replyClass() {
		return (this.code >= 100 && this.code <= 599) ? (this.code / 100) + "xx" : "malformed";
	}

	@Override
	public String toString() {
		return this.code + " " + this.message;
	}

}
