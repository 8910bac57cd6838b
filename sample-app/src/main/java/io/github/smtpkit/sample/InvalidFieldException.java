package io.github.smtpkit.sample;

/**
 * A form field whose value cannot be used: answered with 400 and a problem detail that names the
 * field ({@code field}) and says what is wrong with it.
 */
public class InvalidFieldException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String field;

	/**
	 * @param field the form field's name
	 * @param message a sentence saying what is wrong, naming the field
	 * @param cause what refused the value, if anything
	 */
	public InvalidFieldException(String field, String message, Throwable cause) {
		super(message, cause);
		this.field = field;
	}

	/** The form field's name. */
	public String getField() {
		return this.field;
	}

}
