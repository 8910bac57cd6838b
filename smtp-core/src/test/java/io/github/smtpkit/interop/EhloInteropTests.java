package io.github.smtpkit.interop;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The EHLO (LHLO) reply of every endpoint of the rig, parsed as CPython's smtplib parses it: the
 * exact feature maps are written down for the main endpoints, and for every endpoint our parse is
 * compared with what smtplib itself makes of the same server (run as {@code python3}, which the
 * rig needs anyway).
 */
class EhloInteropTests {

	/** What Postfix says after EHLO on 2525 before STARTTLS: no AUTH (smtpd_tls_auth_only). */
	private static final String POSTFIX_EHLO_IN_CLEAR = "mx.example.test\nPIPELINING\nSIZE 10240000\nVRFY\nETRN"
			+ "\nSTARTTLS\nENHANCEDSTATUSCODES\n8BITMIME\nDSN\nSMTPUTF8\nCHUNKING";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	/** The endpoints of the rig, and whether EHLO is said after STARTTLS. */
	enum Endpoint {

		SMTP_2525, SMTP_2525_AFTER_STARTTLS, SMTP_IPV6_2525_AFTER_STARTTLS, SMTP_2587, SMTP_2587_AFTER_STARTTLS,
		SMTPS_4465, LMTP_TCP_2003, LMTP_UNIX_SOCKET;

		boolean isIpv6() {
			return this == SMTP_IPV6_2525_AFTER_STARTTLS;
		}

	}

	@Test
	void postfixGreetsWithTheRigsBannerAndAdvertisesNoAuthBeforeStarttlsOn2525() throws Exception {
		try (SmtpSession smtp = session(SmtpSession.smtp(), InteropRig.SMTP_PORT).build()) {
			SmtpReply greeting = smtp.connect();
			assertThat(greeting).isEqualTo(new SmtpReply(220, "mx.example.test ESMTP Postfix (interop rig)"));
			SmtpReply reply = smtp.ehlo();
			assertThat(reply).isEqualTo(new SmtpReply(250, POSTFIX_EHLO_IN_CLEAR));
			assertThat(smtp.ehloResp()).isEqualTo(POSTFIX_EHLO_IN_CLEAR);
			assertThat(smtp.doesEsmtp()).isTrue();
			assertThat(smtp.esmtpFeatures().asMap()).containsExactly(Map.entry("pipelining", ""),
					Map.entry("size", "10240000"), Map.entry("vrfy", ""), Map.entry("etrn", ""),
					Map.entry("starttls", ""), Map.entry("enhancedstatuscodes", ""), Map.entry("8bitmime", ""),
					Map.entry("dsn", ""), Map.entry("smtputf8", ""), Map.entry("chunking", ""));
			assertThat(smtp.hasExtn("AUTH")).isFalse();
			assertThat(smtp.esmtpFeatures().maxMessageSize()).hasValue(InteropRig.SIZE_LIMIT);
		}
	}

	@Test
	void postfixOn2525AfterStarttlsAdvertisesAuthWithSmtplibsLeadingSpaceAndNoStarttls() throws Exception {
		try (SmtpSession smtp = session(SmtpSession.smtp(), InteropRig.SMTP_PORT).connect()) {
			smtp.starttls();
			smtp.ehlo();
			assertThat(smtp.esmtpFeatures().asMap()).containsExactly(Map.entry("pipelining", ""),
					Map.entry("size", "10240000"), Map.entry("vrfy", ""), Map.entry("etrn", ""),
					Map.entry("auth", " PLAIN LOGIN CRAM-MD5"), Map.entry("enhancedstatuscodes", ""),
					Map.entry("8bitmime", ""), Map.entry("dsn", ""), Map.entry("smtputf8", ""),
					Map.entry("chunking", ""));
			assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
			assertThat(smtp.hasExtn("starttls")).isFalse();
		}
	}

	@Test
	void postfixOn2587OffersAuthAndStarttlsInClearText() throws Exception {
		try (SmtpSession smtp = session(SmtpSession.smtp(), InteropRig.CLEARTEXT_AUTH_PORT).connect()) {
			smtp.ehlo();
			assertThat(smtp.esmtpFeatures().asMap()).containsKeys("starttls", "auth", "pipelining", "dsn",
					"smtputf8", "chunking", "size");
			assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
			assertThat(smtp.isTls()).isFalse();
		}
	}

	@Test
	void postfixOn4465SpeaksTlsFromTheFirstByteAndOffersAuth() throws Exception {
		try (SmtpSession smtp = session(SmtpSession.smtps(), InteropRig.SMTPS_PORT).connect()) {
			assertThat(smtp.isTls()).isTrue();
			smtp.ehlo();
			assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
			assertThat(smtp.hasExtn("starttls")).isFalse();
			assertThat(smtp.esmtpFeatures().maxMessageSize()).hasValue(InteropRig.SIZE_LIMIT);
		}
	}

	@ParameterizedTest
	@EnumSource(value = Endpoint.class, names = { "LMTP_TCP_2003", "LMTP_UNIX_SOCKET" })
	void dovecotLmtpAnswersLhloWithItsFourExtensions(Endpoint endpoint) throws Exception {
		EhloResult ours = ours(endpoint);
		assertThat(ours.code()).isEqualTo(250);
		assertThat(ours.ehloResp()).isEqualTo("lmtp.example.test\n8BITMIME\nCHUNKING\nENHANCEDSTATUSCODES\nPIPELINING");
		assertThat(ours.features()).containsExactly(Map.entry("8bitmime", ""), Map.entry("chunking", ""),
				Map.entry("enhancedstatuscodes", ""), Map.entry("pipelining", ""));
	}

	@ParameterizedTest
	@EnumSource(Endpoint.class)
	void everyEndpointIsParsedExactlyAsCPythonsSmtplibParsesIt(Endpoint endpoint) throws Exception {
		if (endpoint.isIpv6()) {
			assumeTrue(InteropRig.hasIpv6Listener(), "the rig has no [::1]:2525 listener on this machine");
		}
		EhloResult ours = ours(endpoint);
		EhloResult smtplib = smtplib(endpoint);
		assertThat(ours).isEqualTo(smtplib);
		assertThat(ours.features()).isNotEmpty();
	}

	// ---------------------------------------------------------------- ours

	private static SmtpSession.Builder session(SmtpSession.Builder builder, int port) throws IOException {
		return builder.host(InteropRig.HOST)
			.port(port)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.sslContext(InteropRig.trustingRigCertificate());
	}

	private static EhloResult ours(Endpoint endpoint) throws IOException {
		SmtpSession.Builder builder = switch (endpoint) {
			case SMTP_2525, SMTP_2525_AFTER_STARTTLS -> session(SmtpSession.smtp(), InteropRig.SMTP_PORT);
			case SMTP_IPV6_2525_AFTER_STARTTLS -> session(SmtpSession.smtp(), InteropRig.SMTP_PORT).host("::1");
			case SMTP_2587, SMTP_2587_AFTER_STARTTLS -> session(SmtpSession.smtp(), InteropRig.CLEARTEXT_AUTH_PORT);
			case SMTPS_4465 -> session(SmtpSession.smtps(), InteropRig.SMTPS_PORT);
			case LMTP_TCP_2003 -> session(SmtpSession.lmtp(), InteropRig.LMTP_PORT);
			case LMTP_UNIX_SOCKET -> SmtpSession.lmtp()
				.unixSocket(InteropRig.lmtpSocket())
				.localHostname(InteropRig.CLIENT_NAME)
				.timeout(InteropRig.TIMEOUT);
		};
		try (SmtpSession session = builder.connect()) {
			if (endpoint.name().endsWith("AFTER_STARTTLS")) {
				// ::1 is in the certificate's names, so this also checks an IPv6 address against them.
				session.starttls();
				assertThat(session.isTls()).isTrue();
			}
			SmtpReply reply = session.ehlo();
			EsmtpFeatures features = session.esmtpFeatures();
			return new EhloResult(reply.code(), session.ehloResp(), session.doesEsmtp(),
					new LinkedHashMap<>(features.asMap()));
		}
	}

	// ---------------------------------------------------------------- CPython's smtplib, the reference

	/** Connects with smtplib, says EHLO, and prints code, ehlo_resp (base64) and esmtp_features. */
	private static final String SMTPLIB_SCRIPT = String.join("\n",
			"import base64, smtplib, ssl, sys",
			"kind, host, port, cafile, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]",
			"ctx = ssl.create_default_context(cafile=cafile)",
			"if kind == 'smtps':",
			"    s = smtplib.SMTP_SSL(host, port, local_hostname=name, context=ctx, timeout=30)",
			"elif kind == 'lmtp':",
			"    s = smtplib.LMTP(host, port, local_hostname=name, timeout=30)",
			"else:",
			"    s = smtplib.SMTP(host, port, local_hostname=name, timeout=30)",
			"if kind == 'starttls':",
			"    s.starttls(context=ctx)",
			"code, _ = s.ehlo()",
			"print('code\\t%d' % code)",
			"print('resp\\t' + base64.b64encode(s.ehlo_resp).decode())",
			"print('esmtp\\t%s' % s.does_esmtp)",
			"for k, v in s.esmtp_features.items():",
			"    print('feature\\t' + base64.b64encode(k.encode()).decode() + '\\t' + base64.b64encode(v.encode()).decode())",
			"s.quit()");

	private static EhloResult smtplib(Endpoint endpoint) throws IOException, InterruptedException {
		String cafile = InteropRig.certificate().toString();
		List<String> arguments = switch (endpoint) {
			case SMTP_2525 -> List.of("smtp", InteropRig.HOST, "2525");
			case SMTP_2525_AFTER_STARTTLS -> List.of("starttls", InteropRig.HOST, "2525");
			case SMTP_IPV6_2525_AFTER_STARTTLS -> List.of("starttls", "::1", "2525");
			case SMTP_2587 -> List.of("smtp", InteropRig.HOST, "2587");
			case SMTP_2587_AFTER_STARTTLS -> List.of("starttls", InteropRig.HOST, "2587");
			case SMTPS_4465 -> List.of("smtps", InteropRig.HOST, "4465");
			case LMTP_TCP_2003 -> List.of("lmtp", InteropRig.HOST, "2003");
			// smtplib.LMTP takes a host that starts with "/" as a unix socket, and ignores the port.
			case LMTP_UNIX_SOCKET -> List.of("lmtp", InteropRig.lmtpSocket().toString(), "0");
		};
		Path output = Files.createTempFile("smtplib", ".txt");
		try {
			List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", SMTPLIB_SCRIPT));
			command.addAll(arguments);
			command.add(cafile);
			command.add(InteropRig.CLIENT_NAME);
			Process python = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
				.redirectOutput(output.toFile())
				.redirectErrorStream(true)
				.start();
			if (!python.waitFor(60, TimeUnit.SECONDS)) {
				python.destroyForcibly();
				throw new IOException("python3 smtplib did not finish within 60 s");
			}
			String text = Files.readString(output, StandardCharsets.UTF_8);
			assertThat(python.exitValue()).as("python3 smtplib against %s:\n%s", endpoint, text).isZero();
			int code = 0;
			String resp = null;
			boolean esmtp = false;
			Map<String, String> features = new LinkedHashMap<>();
			for (String line : text.split("\n")) {
				String[] fields = line.split("\t", -1);
				switch (fields[0]) {
					case "code" -> code = Integer.parseInt(fields[1]);
					case "resp" -> resp = decode(fields[1]);
					case "esmtp" -> esmtp = Boolean.parseBoolean(fields[1].toLowerCase(java.util.Locale.ROOT));
					case "feature" -> features.put(decode(fields[1]), decode(fields[2]));
					default -> throw new IllegalStateException("Unexpected output of python3: " + text);
				}
			}
			return new EhloResult(code, resp, esmtp, features);
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	private static String decode(String base64) {
		return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
	}

	/**
	 * What one EHLO left behind: smtplib's return code, {@code ehlo_resp}, {@code does_esmtp} and
	 * {@code esmtp_features} (in the server's order: {@link LinkedHashMap#equals} ignores order, so
	 * the order is compared as a list too).
	 */
	record EhloResult(int code, String ehloResp, boolean doesEsmtp, Map<String, String> features) {

		List<Map.Entry<String, String>> orderedFeatures() {
			return List.copyOf(this.features.entrySet());
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof EhloResult that && this.code == that.code
					&& java.util.Objects.equals(this.ehloResp, that.ehloResp) && this.doesEsmtp == that.doesEsmtp
					&& orderedFeatures().equals(that.orderedFeatures());
		}

		@Override
		public int hashCode() {
			return java.util.Objects.hash(this.code, this.ehloResp, this.doesEsmtp, orderedFeatures());
		}

	}

}
