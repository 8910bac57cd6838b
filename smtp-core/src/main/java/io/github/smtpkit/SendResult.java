package io.github.smtpkit;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What became of one message: who accepted it and who refused it, with the server's replies.
 *
 * @param accepted the recipients the message was delivered to (accepted at RCPT and, for LMTP,
 * after the data), in envelope order
 * @param refused the recipients refused at RCPT or (LMTP) after the data, with the replies
 * @param finalReply the reply after the message data (for LMTP the first refusal after the data,
 * or the last reply when there was none)
 * @param recipientReplies each recipient that got as far as the data, with its reply after it: for
 * LMTP one reply per recipient; for SMTP the one final reply for each
 * @param endpoint the server that took the message: with {@link SmtpClient.Builder#hosts(List)},
 * the host it failed over to; {@code null} for a result made without a connection
 */
public record SendResult(List<String> accepted, Map<String, SmtpReply> refused, SmtpReply finalReply,
		Map<String, SmtpReply> recipientReplies, @Nullable SmtpEndpoint endpoint) {

	public SendResult {
		accepted = List.copyOf(accepted);
		refused = Map.copyOf(refused);
		recipientReplies = Map.copyOf(recipientReplies);
	}

	/** A result without the endpoint that took the message. */
	public SendResult(List<String> accepted, Map<String, SmtpReply> refused, SmtpReply finalReply,
			Map<String, SmtpReply> recipientReplies) {
		this(accepted, refused, finalReply, recipientReplies, null);
	}

	/** Whether every recipient accepted the message. */
	public boolean isFullyAccepted() {
		return this.refused.isEmpty();
	}

}
