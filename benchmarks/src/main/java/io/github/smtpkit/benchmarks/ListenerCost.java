package io.github.smtpkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
import io.github.smtpkit.spring.event.SmtpEventPublisher;
import io.github.smtpkit.spring.event.SmtpReplyEvent;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.github.smtpkit.spring.observation.SmtpSendObservations;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * What the starter's listeners cost the sending thread per message, without a server: replays the
 * events of one pipelined send (the same callbacks, in the same order, as {@code SmtpClient}
 * makes) on each listener in a loop, and prints the time and allocation per message. JMH-free and
 * rough: a warm-up, then the median of five measured rounds.
 *
 * <pre>
 * java -cp benchmarks.jar io.github.smtpkit.benchmarks.ListenerCost [seconds per round, default 1]
 * </pre>
 */
public final class ListenerCost {

	private static final SmtpEndpoint ENDPOINT = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", 2525);

	private static final OutgoingMessage MESSAGE = OutgoingMessage.of(Envelope.of("from@example.com", "to@example.com"),
			new byte[1024]);

	private static final SendResult RESULT = new SendResult(List.of("to@example.com"), Map.of(),
			new SmtpReply(250, "2.0.0 queued"), Map.of());

	private static final BatchResult SENT = new BatchResult(MESSAGE, RESULT, null);

	private static final SmtpReply OK = new SmtpReply(250, "2.1.0 ok");

	private static final SmtpReply GO_AHEAD = new SmtpReply(354, "go ahead");

	private static final Duration RTT = Duration.ofNanos(40_000);

	private ListenerCost() {
	}

	public static void main(String[] args) {
		double seconds = (args.length > 0) ? Double.parseDouble(args[0]) : 1;
		AnnotationConfigApplicationContext quiet = new AnnotationConfigApplicationContext();
		quiet.refresh();
		AnnotationConfigApplicationContext listened = new AnnotationConfigApplicationContext();
		listened.register(SendBenchmark.StarterClient.ReplyListener.class);
		listened.refresh();
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));

		List<String> names = List.of("none", "events (no listener)", "events (one @EventListener)", "metrics",
				"mail.send observation", "starter, events off (metrics + observation)",
				"starter, events on (events + metrics + observation)");
		List<SmtpEventListener> listeners = List.of(SmtpEventListener.NONE, of(new SmtpEventPublisher(quiet)),
				of(new SmtpEventPublisher(listened)), of(new SmtpClientMetrics(meters)),
				of(new SmtpSendObservations(observations, null)),
				of(new SmtpClientMetrics(meters), new SmtpSendObservations(observations, null)),
				of(new SmtpEventPublisher(quiet), new SmtpClientMetrics(meters),
						new SmtpSendObservations(observations, null)));
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		for (int i = 0; i < listeners.size(); i++) {
			SmtpEventListener listener = listeners.get(i);
			run(listener, seconds * 2);
			double[] nanos = new double[5];
			double[] allocated = new double[nanos.length];
			for (int round = 0; round < nanos.length; round++) {
				long bytesBefore = threads.getCurrentThreadAllocatedBytes();
				long[] result = run(listener, seconds);
				nanos[round] = (double) result[1] / result[0];
				allocated[round] = (double) (threads.getCurrentThreadAllocatedBytes() - bytesBefore) / result[0];
			}
			// Medians, both: one round's allocation is as noisy as its time.
			java.util.Arrays.sort(nanos);
			java.util.Arrays.sort(allocated);
			System.out.println(String.format(Locale.ROOT, "COST listener=\"%s\" ns_per_msg=%.0f bytes_per_msg=%.0f",
					names.get(i), nanos[2], allocated[2]));
		}
		quiet.close();
		listened.close();
	}

	private static SmtpEventListener of(SmtpEventListenerFactory... factories) {
		List<SmtpEventListener> listeners = new ArrayList<>();
		for (SmtpEventListenerFactory factory : factories) {
			listeners.add(factory.create("default"));
		}
		return SmtpEventListener.composite(listeners);
	}

	/** Replays messages for about {@code seconds}: {count, nanos}. */
	private static long[] run(SmtpEventListener listener, double seconds) {
		long budget = (long) (seconds * 1e9);
		long started = System.nanoTime();
		long count = 0;
		while (System.nanoTime() - started < budget) {
			for (int i = 0; i < 1000; i++) {
				oneMessage(listener);
			}
			count += 1000;
		}
		return new long[] { count, System.nanoTime() - started };
	}

	/** The callbacks of one pipelined send over a pooled session, as SmtpClient makes them. */
	private static void oneMessage(SmtpEventListener l) {
		l.sendStarted(ENDPOINT, MESSAGE);
		l.sessionBorrowed(ENDPOINT, Duration.ZERO);
		l.commandSent(ENDPOINT, "MAIL", "MAIL FROM:<from@example.com> SIZE=1024");
		l.commandSent(ENDPOINT, "RCPT", "RCPT TO:<to@example.com>");
		l.commandSent(ENDPOINT, "DATA", "DATA");
		l.replyReceived(ENDPOINT, "MAIL", OK, RTT);
		l.replyReceived(ENDPOINT, "RCPT", OK, RTT);
		l.replyReceived(ENDPOINT, "DATA", GO_AHEAD, RTT);
		l.messageDataSent(ENDPOINT, 1029);
		l.replyReceived(ENDPOINT, SmtpEventListener.END_OF_DATA, OK, RTT);
		l.sendFinished(ENDPOINT, SendOutcome.ACCEPTED, 1, 1024, 1, RTT);
		l.sendFinished(ENDPOINT, SENT, SendOutcome.ACCEPTED);
		l.sessionReturned(ENDPOINT);
	}

}
