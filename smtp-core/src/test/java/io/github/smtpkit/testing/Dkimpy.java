package io.github.smtpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent DKIM verifier for tests: dkimpy, Debian's {@code python3-dkim} (the reference
 * implementation behind dkimpy-milter), run by {@code /usr/bin/python3} with the public key given
 * as the answer to its DNS query for {@code selector._domainkey.domain}, so that no DNS is asked.
 */
public final class Dkimpy {

	private static final String PYTHON = "/usr/bin/python3";

	private static final String VERIFY = """
			import sys, dkim
			message = open(sys.argv[1], 'rb').read()
			record = open(sys.argv[2], 'rb').read()
			name = sys.argv[3].encode()
			def dns(query, timeout=5):
			    return record if query == name else None
			print('verified' if dkim.verify(message, dnsfunc=dns) else 'failed')
			""";

	private final Path dir;

	private final PublicKey key;

	private final String recordName;

	/**
	 * @param dir a folder for the files handed to dkimpy
	 * @param key the RSA public key, published as {@code selector._domainkey.domain}
	 */
	public Dkimpy(Path dir, PublicKey key, String selector, String domain) {
		this.dir = dir;
		this.key = key;
		this.recordName = selector + "._domainkey." + domain + ".";
	}

	/**
	 * dkimpy's verdict on the message.
	 * @return {@code "verified"} or {@code "failed"}
	 */
	public String verify(byte[] message) throws IOException, InterruptedException {
		assertThat(Path.of(PYTHON)).as("Debian's python3, with python3-dkim (apt-get install python3-dkim)").exists();
		Path file = Files.createTempFile(this.dir, "signed", ".eml");
		Files.write(file, message);
		Path record = Files.writeString(Files.createTempFile(this.dir, "record", ".txt"),
				"v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(this.key.getEncoded()));
		Process process = new ProcessBuilder(PYTHON, "-c", VERIFY, file.toString(), record.toString(), this.recordName)
			.redirectErrorStream(true)
			.start();
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		process.getInputStream().transferTo(output);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("dkimpy finished within 30 s").isTrue();
		String said = output.toString(StandardCharsets.UTF_8).strip();
		assertThat(process.exitValue()).as("dkimpy said: " + said + " (is python3-dkim installed?)").isZero();
		return said;
	}

}
