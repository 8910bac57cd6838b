package io.github.smtpkit.internal;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

import io.github.smtpkit.SmtpEventListener;

/** Calls listeners so that a failing one never breaks what it listens to. */
public final class Listeners {

	private static final System.Logger LOGGER = System.getLogger(Listeners.class.getName());

	private Listeners() {
	}

	/** Delivers one event; a {@link RuntimeException} from the listener is logged and ignored. */
	public static void notify(SmtpEventListener listener, Consumer<SmtpEventListener> event) {
		try {
			event.accept(listener);
		}
		catch (RuntimeException ex) {
			LOGGER.log(Level.WARNING, "SmtpEventListener " + listener.getClass().getName()
					+ " threw an exception, which was ignored", ex);
		}
	}

}
