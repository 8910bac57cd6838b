package io.github.smtpkit.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * smtpkit's observations, their names and keys, as Micrometer's documentation tooling reads them.
 */
public enum SmtpObservationDocumentation implements ObservationDocumentation {

	/**
	 * One message sent through an {@link io.github.smtpkit.SmtpClient} of the starter (through its
	 * {@code MailSender}, {@code send} or {@code sendAll}): a client span to the server, from the
	 * call to the message's end, waiting for a session included. Named {@code mail.send}
	 * ({@value DefaultSmtpSendObservationConvention#NAME}), as Micrometer's Jakarta Mail
	 * instrumentation names it; contextual name {@code mail send}.
	 */
	MAIL_SEND {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultSmtpSendObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

	};

	/** The keys of {@link #MAIL_SEND} that metrics are tagged with: each has a small, fixed set of values. */
	public enum LowCardinalityKeyNames implements KeyName {

		/**
		 * The server's name: {@code default} for the server under {@code smtp.*}, otherwise its name
		 * under {@code smtp.servers}; the tag every smtpkit meter names the server by.
		 */
		SERVER {
			@Override
			public String asString() {
				return "server";
			}
		},

		/**
		 * The host name or address of the server that took the message: with {@code smtp.hosts},
		 * the host failover chose ({@code unknown} for a unix-domain socket).
		 */
		SERVER_ADDRESS {
			@Override
			public String asString() {
				return "server.address";
			}
		},

		/** The port of the server that took the message ({@code unknown} for a unix-domain socket). */
		SERVER_PORT {
			@Override
			public String asString() {
				return "server.port";
			}
		},

		/** {@code smtp}, {@code smtps} or {@code lmtp}. */
		NETWORK_PROTOCOL_NAME {
			@Override
			public String asString() {
				return "network.protocol.name";
			}
		},

		/**
		 * How the send ended: {@code accepted}, {@code partially_accepted}, {@code refused},
		 * {@code failed} or {@code unknown} (it may have been delivered); {@code none} while it is
		 * under way.
		 */
		OUTCOME {
			@Override
			public String asString() {
				return "outcome";
			}
		}

	}

	/**
	 * The keys of {@link #MAIL_SEND} that only traces carry: the message's visible addresses
	 * (without display names) and id, {@code unknown} when not known. Never the subject, never
	 * {@code Bcc}.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/**
		 * The {@code From} addresses; when the message's headers are not known (bytes sent through
		 * the client), the envelope's sender.
		 */
		MESSAGE_FROM {
			@Override
			public String asString() {
				return "smtp.message.from";
			}
		},

		/** The {@code To} addresses. */
		MESSAGE_TO {
			@Override
			public String asString() {
				return "smtp.message.to";
			}
		},

		/** The {@code Cc} addresses. */
		MESSAGE_CC {
			@Override
			public String asString() {
				return "smtp.message.cc";
			}
		},

		/** The {@code Message-ID}. */
		MESSAGE_ID {
			@Override
			public String asString() {
				return "smtp.message.id";
			}
		}

	}

}
