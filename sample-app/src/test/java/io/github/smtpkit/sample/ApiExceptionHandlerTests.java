package io.github.smtpkit.sample;

import java.io.IOException;

import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.http.MediaType;
import org.springframework.mail.MailSendException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The failures the running sample cannot be made to show on demand (a bug, a mail server that
 * refuses, a message that cannot be made) answer with a problem detail whose {@code detail} is a
 * sentence, as every other error of the API does (see {@link SampleApplicationTests}).
 */
class ApiExceptionHandlerTests {

	private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new FailingController())
		.setControllerAdvice(new ApiExceptionHandler(new MultipartProperties()))
		.build();

	@Test
	void anUnexpectedFailureIsA500WithASentence() throws Exception {
		this.mvc.perform(get("/bug"))
			.andExpect(status().isInternalServerError())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail")
				.value("The sample failed: IllegalStateException: The disk is full. Its log has the details."));
	}

	@Test
	void aMailTheServerRefusedIsA502NamingWhy() throws Exception {
		this.mvc.perform(get("/refused"))
			.andExpect(status().isBadGateway())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("Not sent: java.io.IOException: 554 5.7.1 Relay access denied"));
	}

	@Test
	void aMessageThatCannotBeMadeIsA400() throws Exception {
		this.mvc.perform(get("/unmakeable"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value("The mail could not be made: Bad header"));
	}

	@Test
	void limitsAreShownAsApplicationYmlWritesThem() {
		assertThat(ApiExceptionHandler.format(DataSize.ofMegabytes(10))).isEqualTo("10MB");
		assertThat(ApiExceptionHandler.format(DataSize.ofKilobytes(1536))).isEqualTo("1536KB");
		assertThat(ApiExceptionHandler.format(DataSize.ofGigabytes(1))).isEqualTo("1GB");
		assertThat(ApiExceptionHandler.format(DataSize.ofBytes(1000))).isEqualTo("1000B");
		assertThat(ApiExceptionHandler.format(DataSize.ofBytes(-1))).isEqualTo("any size");
	}

	@RestController
	static class FailingController {

		@GetMapping("/bug")
		String bug() {
			throw new IllegalStateException("The disk is full");
		}

		@GetMapping("/refused")
		String refused() {
			throw new MailSendException("Failed", new IOException("554 5.7.1 Relay access denied"));
		}

		@GetMapping("/unmakeable")
		String unmakeable() throws MessagingException {
			throw new MessagingException("Bad header");
		}

	}

}
