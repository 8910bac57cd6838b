package io.github.smtpkit.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	@Test
	void sendsAMailToTheEmbeddedServer(CapturedOutput output) {
		SampleApplication.main(new String[0]);
		assertThat(output).contains("refused recipients: {}")
			.contains("The embedded server received \"Hello from smtpkit\" for [you@example.com]");
	}

}
