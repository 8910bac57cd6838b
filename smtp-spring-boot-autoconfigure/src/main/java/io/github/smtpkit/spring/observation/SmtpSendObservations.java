package io.github.smtpkit.spring.observation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.spring.MimeMessageSource;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Observes every message an {@link io.github.smtpkit.SmtpClient} sends as one {@code mail.send}
 * {@link Observation} ({@link SmtpObservationDocumentation#MAIL_SEND}): through the starter's
 * {@code MailSender}, {@code send} and {@code sendAll} alike, each message of a batch on its own.
 * The one place sends are observed: the client's listener sees every message, whoever sends it.
 *
 * <p>An observation starts when the message's send is called (for {@code sendAll}, every message
 * of the batch when the batch is called, so that each one's time includes the wait behind the
 * messages ahead of it, as the caller sees it) and stops when the message's outcome is known. It
 * runs on the caller's thread, and no scope is opened: each message's parent is the observation
 * current on the caller's thread, never another message's, even though a batch's messages
 * overlap.
 *
 * <p>Outside Spring Boot, add it to a client with
 * {@code SmtpClient.builder().eventListener(new SmtpSendObservations(registry, null).create("default"))}.
 */
public class SmtpSendObservations implements SmtpEventListenerFactory {

	private static final SmtpSendObservationConvention DEFAULT_CONVENTION = new DefaultSmtpSendObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable SmtpSendObservationConvention convention;

	/**
	 * @param registry where the observations go
	 * @param convention names and tags them, or {@code null} for
	 * {@link DefaultSmtpSendObservationConvention}
	 */
	public SmtpSendObservations(ObservationRegistry registry, @Nullable SmtpSendObservationConvention convention) {
		this.registry = Objects.requireNonNull(registry, "registry");
		this.convention = convention;
	}

	@Override
	public SmtpEventListener create(String serverName) {
		return new Listener(Objects.requireNonNull(serverName, "serverName"));
	}

	/** One server's observations. */
	private final class Listener implements SmtpEventListener {

		private final String serverName;

		/**
		 * The observations under way on each thread, by message: a send's start and end are told on
		 * the caller's thread, and the same message (instance) may be sent by several threads at
		 * once, or twice in one batch (then its observations end first in, first out).
		 */
		private final ThreadLocal<Map<OutgoingMessage, Deque<Observation>>> underWay = new ThreadLocal<>();

		Listener(String serverName) {
			this.serverName = serverName;
		}

		@Override
		public void sendStarted(SmtpEndpoint endpoint, OutgoingMessage message) {
			// The context is made only when the registry observes at all.
			Observation observation = SmtpObservationDocumentation.MAIL_SEND.observation(
					SmtpSendObservations.this.convention, DEFAULT_CONVENTION,
					() -> new SmtpSendObservationContext(this.serverName, endpoint, message.envelope(),
							(message.message() instanceof MimeMessageSource mime) ? mime.getMimeMessage() : null),
					SmtpSendObservations.this.registry);
			if (observation.isNoop()) {
				// Switched off (management.observations.enable.mail.send=false, say): nothing to end.
				return;
			}
			observation.start();
			Map<OutgoingMessage, Deque<Observation>> observations = this.underWay.get();
			if (observations == null) {
				// Made on a thread's first observed send only: a thread that never observes (the
				// observation switched off) pays nothing in sendFinished either.
				observations = new IdentityHashMap<>();
				this.underWay.set(observations);
			}
			observations.computeIfAbsent(message, (key) -> new ArrayDeque<>(1)).add(observation);
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
			Map<OutgoingMessage, Deque<Observation>> observations = this.underWay.get();
			Deque<Observation> started = (observations != null) ? observations.get(result.message()) : null;
			if (started == null) {
				return;
			}
			Observation observation = started.poll();
			if (started.isEmpty()) {
				observations.remove(result.message());
			}
			SmtpSendObservationContext context = (SmtpSendObservationContext) observation.getContext();
			// The host that took the message, which failover may have made another than the first:
			// the keys are read again at the stop, so the timer and the span name that host.
			context.setEndpoint(endpoint);
			context.setOutcome(outcome);
			if (result.isSent()) {
				context.setResult(result.result());
			}
			else {
				observation.error(result.failure());
			}
			observation.stop();
		}

	}

}
