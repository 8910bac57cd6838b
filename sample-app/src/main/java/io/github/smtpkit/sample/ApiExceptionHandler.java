package io.github.smtpkit.sample;

import java.util.Map;

import jakarta.mail.MessagingException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mail.MailException;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the API as an RFC 9457 problem detail ({@code application/problem+json}) whose
 * {@code detail} is a sentence the page can show as it is: which field is wrong ({@code field}),
 * which limit was exceeded ({@code limit}, {@code property}), or what failed.
 *
 * <p>Global, not tied to {@link MailController}: a request over the multipart limits fails while
 * it is read, before any controller is chosen. Handling it here also answers it in the same
 * dispatch; left to Spring MVC's default, the 413 went to the error page, whose dispatch read
 * the same over-long request again and failed again, and the page got an empty body.
 */
@RestControllerAdvice
// The upload limits it names exist only in a servlet application (not, say, in a test without a web server).
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Log logger = LogFactory.getLog(ApiExceptionHandler.class);

	private static final String MAX_FILE_SIZE = "spring.servlet.multipart.max-file-size";

	private static final String MAX_REQUEST_SIZE = "spring.servlet.multipart.max-request-size";

	/** What each form field of POST /api/mails is for, for the sentence about a missing one. */
	private static final Map<String, String> FIELDS = Map.of("to", "one or more recipients, separated by commas",
			"server", "the server to send through (default, or a name under smtp.servers)");

	private final MultipartProperties multipart;

	/**
	 * @param multipart the upload limits ({@code spring.servlet.multipart.*}), to name them
	 */
	public ApiExceptionHandler(MultipartProperties multipart) {
		this.multipart = multipart;
	}

	@ExceptionHandler(InvalidFieldException.class)
	ProblemDetail invalidField(InvalidFieldException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setProperty("field", ex.getField());
		return problem;
	}

	@ExceptionHandler(MessagingException.class)
	ProblemDetail unmakeable(MessagingException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The mail could not be made: "
				+ ex.getMessage());
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail badRequest(IllegalArgumentException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request could not be used: "
				+ ex.getMessage());
	}

	@ExceptionHandler(MailException.class)
	ProblemDetail notSent(MailException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, "Not sent: " + ex.getMostSpecificCause());
	}

	/** A multipart request that could not be read (over the limits is answered below). */
	@ExceptionHandler(MultipartException.class)
	ProblemDetail unreadableForm(MultipartException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"The form could not be read as multipart/form-data: " + ex.getMostSpecificCause().getMessage());
	}

	/** Anything else: a sentence for the page, the stack trace for the log. */
	@ExceptionHandler(Exception.class)
	ProblemDetail failed(Exception ex) {
		logger.error("The sample failed to answer a request", ex);
		return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "The sample failed: "
				+ ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "")
				+ ". Its log has the details.");
	}

	@Override
	protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		String field = ex.getParameterName();
		String purpose = FIELDS.get(field);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, "The field '" + field + "' is missing"
				+ ((purpose != null) ? ": give " + purpose + "." : "."));
		problem.setProperty("field", field);
		return handleExceptionInternal(ex, problem, headers, status, request);
	}

	/**
	 * Over {@code max-file-size} (one file) or {@code max-request-size} (the whole form): says
	 * which, from the cause Tomcat gives, and names the limit and its property.
	 */
	@Override
	protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		boolean oneFile = causedBy(ex, "FileSizeLimitExceededException");
		DataSize limit = oneFile ? this.multipart.getMaxFileSize() : this.multipart.getMaxRequestSize();
		String property = oneFile ? MAX_FILE_SIZE : MAX_REQUEST_SIZE;
		String detail = oneFile
				? "The attachment is larger than " + format(limit) + ", the most this sample accepts for a file ("
						+ property + ")."
				: "The mail with its attachment is larger than " + format(limit) + ", the most this sample accepts "
						+ "in one request (" + property + "); attachments may be up to "
						+ format(this.multipart.getMaxFileSize()) + " (" + MAX_FILE_SIZE + ").";
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, detail);
		problem.setProperty("field", "attachment");
		problem.setProperty("limit", format(limit));
		problem.setProperty("property", property);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
	}

	private static boolean causedBy(Throwable failure, String simpleName) {
		for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
			if (cause.getClass().getSimpleName().equals(simpleName)) {
				return true;
			}
		}
		return false;
	}

	/** 10MB rather than 10485760B, as application.yml has it. */
	static String format(DataSize size) {
		long bytes = size.toBytes();
		if (bytes < 0) {
			return "any size";
		}
		for (String unit : new String[] { "GB", "MB", "KB" }) {
			DataSize one = DataSize.parse("1" + unit);
			if (bytes >= one.toBytes() && bytes % one.toBytes() == 0) {
				return bytes / one.toBytes() + unit;
			}
		}
		return bytes + "B";
	}

}
