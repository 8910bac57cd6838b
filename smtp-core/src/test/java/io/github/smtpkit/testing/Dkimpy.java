package io.github.smtpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent DKIM verifier for tests: dkimpy, Debian's {@code python3-dkim} (the reference
 * implementation behind dkimpy-milter), run by {@code /usr/bin/python3} with the public key given
 * as the answer to its DNS query for {@code selector._domainkey.domain}, so that no DNS is asked.
 *
 * <p>The README's test command needs only a JDK, so where dkimpy is missing a test that asks it
 * is skipped, saying so, unless {@value #REQUIRED} is set: {@code .ci/run} installs dkimpy and
 * sets it, so that in CI a missing verifier fails rather than skips. dkimpy verifies
 * {@code ed25519-sha256} with PyNaCl (Debian's {@code python3-nacl}), which it needs only then.
 */
public final class Dkimpy {

	private static final String PYTHON = "/usr/bin/python3";

	/** The environment variable that turns a missing dkimpy from a skip into a failure. */
	public static final String REQUIRED = "SMTPKIT_REQUIRE_DKIMPY";

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
	 * @param key the RSA or Ed25519 public key, published as {@code selector._domainkey.domain}
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
		requireDkimpy(isEd25519());
		Path file = Files.createTempFile(this.dir, "signed", ".eml");
		Files.write(file, message);
		Path record = Files.writeString(Files.createTempFile(this.dir, "record", ".txt"), record());
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

	/**
	 * The DNS TXT record of the key: {@code k=rsa} with the key's X.509 form, or {@code k=ed25519}
	 * with the key's own 32 bytes (RFC 8463 4), the end of its X.509 form.
	 */
	private String record() {
		byte[] encoded = this.key.getEncoded();
		if (isEd25519()) {
			byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
			return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(raw);
		}
		return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(encoded);
	}

	private boolean isEd25519() {
		return this.key instanceof EdECPublicKey edec && "Ed25519".equalsIgnoreCase(edec.getParams().getName());
	}

	/** Skips the test, or with {@value #REQUIRED} set fails it, when dkimpy (and for Ed25519 PyNaCl) cannot be run. */
	private static void requireDkimpy(boolean ed25519) throws IOException, InterruptedException {
		boolean available = false;
		if (Files.isExecutable(Path.of(PYTHON))) {
			Process probe = new ProcessBuilder(PYTHON, "-c", ed25519 ? "import dkim, nacl" : "import dkim")
				.redirectErrorStream(true)
				.start();
			probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
			available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
		}
		String missing = "dkimpy, the independent DKIM verifier, is missing: apt-get install python3-dkim"
				+ (ed25519 ? " python3-nacl (PyNaCl, for ed25519-sha256)" : "");
		if (System.getenv(REQUIRED) != null) {
			assertThat(available).as(missing).isTrue();
		}
		Assumptions.assumeTrue(available, missing);
	}

}
