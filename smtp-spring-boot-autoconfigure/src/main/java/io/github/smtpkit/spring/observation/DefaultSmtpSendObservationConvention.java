package io.github.smtpkit.spring.observation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.spring.observation.SmtpObservationDocumentation.HighCardinalityKeyNames;
import io.github.smtpkit.spring.observation.SmtpObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer's {@code mail.send} conventions: the server and the outcome as low-cardinality keys
 * ({@code server}, the server's name as on every smtpkit meter, {@code server.address},
 * {@code server.port}, {@code network.protocol.name}, {@code outcome}), the message's visible
 * addresses (without display names) and id as high-cardinality keys ({@code smtp.message.from},
 * {@code smtp.message.to}, {@code smtp.message.cc}, {@code smtp.message.id}); see
 * {@link SmtpObservationDocumentation}. When the message's headers are not known (bytes sent
 * through the client), {@code smtp.message.from} is the envelope's sender and the others are
 * {@code unknown}: the envelope's recipients are not shown, since they include {@code Bcc}.
 *
 * <p>Unlike Micrometer's convention for Jakarta Mail's {@code Transport}, the subject and the
 * {@code Bcc} recipients are left out: a trace is no place for what a message is about, nor for
 * recipients the message itself hides. Nothing about the message is ever a low-cardinality key,
 * so metrics stay bounded.
 *
 * <p>Micrometer asks for the key values when an observation starts and again when it stops: the
 * message's are made once per observation, each read from its header when a handler first asks
 * for its value (a tracing handler; meters never do), and the server's are made once per server
 * and host, so that observing a send costs no header parsing twice, and none without tracing.
 * {@code server.address} and {@code server.port} name the host that took the message: with
 * {@code smtp.hosts}, the one failover chose.
 */
public class DefaultSmtpSendObservationConvention implements SmtpSendObservationConvention {

	/** The observation's name, as in Micrometer's mail instrumentation. */
	public static final String NAME = "mail.send";

	private static final String UNKNOWN = "unknown";

	/**
	 * The most servers' key values kept: one per server name and host, which is few (the hosts of
	 * {@code smtp.hosts} are a bounded list); past that, say with a convention shared by many
	 * clients, the cache starts over rather than grow.
	 */
	private static final int MAX_SERVERS = 64;

	/** The key values of each server and host observed, but for the outcome. */
	private final Map<ServerKey, KeyValues> servers = new ConcurrentHashMap<>();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(SmtpSendObservationContext context) {
		return "mail send";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(SmtpSendObservationContext context) {
		ServerKey key = new ServerKey(context.getServerName(), context.getEndpoint());
		KeyValues server = this.servers.get(key);
		if (server == null) {
			if (this.servers.size() >= MAX_SERVERS) {
				this.servers.clear();
			}
			server = this.servers.computeIfAbsent(key, ServerKey::keyValues);
		}
		SendOutcome outcome = context.getOutcome();
		return server.and(KeyValue.of(LowCardinalityKeyNames.OUTCOME,
				(outcome != null) ? outcome.name().toLowerCase(Locale.ROOT) : "none"));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(SmtpSendObservationContext context) {
		// The message does not change while it is sent: its headers are read once.
		KeyValues known = context.messageKeyValues;
		if (known == null) {
			known = messageKeyValues(context);
			context.messageKeyValues = known;
		}
		return known;
	}

	private static KeyValues messageKeyValues(SmtpSendObservationContext context) {
		MimeMessage message = context.getMessage();
		if (message == null) {
			String sender = context.getEnvelope().from();
			return KeyValues.of(KeyValue.of(HighCardinalityKeyNames.MESSAGE_FROM, sender.isEmpty() ? UNKNOWN : sender),
					KeyValue.of(HighCardinalityKeyNames.MESSAGE_TO, UNKNOWN),
					KeyValue.of(HighCardinalityKeyNames.MESSAGE_CC, UNKNOWN),
					KeyValue.of(HighCardinalityKeyNames.MESSAGE_ID, UNKNOWN));
		}
		return KeyValues.of(
				new HeaderKeyValue(HighCardinalityKeyNames.MESSAGE_FROM, () -> addresses(message.getFrom())),
				new HeaderKeyValue(HighCardinalityKeyNames.MESSAGE_TO,
						() -> addresses(message.getRecipients(RecipientType.TO))),
				new HeaderKeyValue(HighCardinalityKeyNames.MESSAGE_CC,
						() -> addresses(message.getRecipients(RecipientType.CC))),
				new HeaderKeyValue(HighCardinalityKeyNames.MESSAGE_ID, message::getMessageID));
	}

	/** The bare addresses, without display names. */
	private static @Nullable String addresses(Address @Nullable [] addresses) {
		if (addresses == null) {
			return null;
		}
		return Arrays.stream(addresses)
			.map((address) -> (address instanceof InternetAddress internet) ? internet.getAddress() : address.toString())
			.collect(Collectors.joining(", "));
	}

	private static String value(HeaderReader reader) {
		try {
			String value = reader.read();
			return (value != null && !value.isEmpty()) ? value : UNKNOWN;
		}
		catch (MessagingException ex) {
			// A header that does not parse must not fail the send it observes.
			return UNKNOWN;
		}
	}

	/** A server by name, and the host of it a message went to. */
	private record ServerKey(String serverName, SmtpEndpoint endpoint) {

		/** Its low-cardinality key values, but for the outcome. */
		KeyValues keyValues() {
			return KeyValues.of(KeyValue.of(LowCardinalityKeyNames.SERVER, this.serverName),
					KeyValue.of(LowCardinalityKeyNames.SERVER_ADDRESS,
							this.endpoint.isUnixSocket() ? UNKNOWN : this.endpoint.host()),
					KeyValue.of(LowCardinalityKeyNames.SERVER_PORT,
							this.endpoint.isUnixSocket() ? UNKNOWN : String.valueOf(this.endpoint.port())),
					KeyValue.of(LowCardinalityKeyNames.NETWORK_PROTOCOL_NAME,
							this.endpoint.protocol().name().toLowerCase(Locale.ROOT)));
		}

	}

	/**
	 * A key value read from the message's headers when its value is first asked for. These keys
	 * are high cardinality: meters never ask for them, only a tracing handler does (when the
	 * observation starts or stops, while the message is sent, so it reads what is sent). An
	 * application that only meters its sends parses no address header for them, which was a
	 * good part of what observing a {@code MimeMessage} cost per message.
	 */
	private static final class HeaderKeyValue implements KeyValue {

		private final String key;

		private final HeaderReader reader;

		private volatile @Nullable String value;

		HeaderKeyValue(HighCardinalityKeyNames name, HeaderReader reader) {
			this.key = name.asString();
			this.reader = reader;
		}

		@Override
		public String getKey() {
			return this.key;
		}

		@Override
		public String getValue() {
			String read = this.value;
			if (read == null) {
				// Two threads may both read it: they read the same headers.
				read = value(this.reader);
				this.value = read;
			}
			return read;
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other instanceof KeyValue keyValue && this.key.equals(keyValue.getKey())
					&& getValue().equals(keyValue.getValue());
		}

		@Override
		public int hashCode() {
			// As Micrometer's own key values.
			return 31 * this.key.hashCode() + getValue().hashCode();
		}

		@Override
		public String toString() {
			return "keyValue(" + this.key + "=" + getValue() + ")";
		}

	}

	@FunctionalInterface
	private interface HeaderReader {

		@Nullable String read() throws MessagingException;

	}

}
