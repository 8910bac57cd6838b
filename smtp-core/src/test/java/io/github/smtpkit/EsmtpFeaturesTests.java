package io.github.smtpkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Parsing an EHLO reply into smtplib's {@code esmtp_features}.
 */
class EsmtpFeaturesTests {

	@Test
	void firstLineIsTheGreetingAndIsSkipped() {
		EsmtpFeatures features = EsmtpFeatures.parse("mail.example.org Hello client [192.0.2.1]\nPIPELINING");

		assertThat(features.asMap()).containsExactly(entry("pipelining", ""));
		assertThat(features.has("mail.example.org")).isFalse();
	}

	@Test
	void keywordsAreLowerCasedAndParametersStripped() {
		EsmtpFeatures features = EsmtpFeatures
			.parse("mx.test\nSIZE   35882577  \n8BITMIME\nENHANCEDSTATUSCODES\nX-Custom-Ext some thing\nDSN");

		assertThat(features.asMap()).containsExactly(entry("size", "35882577"), entry("8bitmime", ""),
				entry("enhancedstatuscodes", ""), entry("x-custom-ext", "some thing"), entry("dsn", ""));
		assertThat(features.isEmpty()).isFalse();
	}

	@Test
	void hasAndParamsIgnoreCase() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nSIZE 1000\nStartTLS");

		assertThat(features.has("size")).isTrue();
		assertThat(features.has("SIZE")).isTrue();
		assertThat(features.has("Size")).isTrue();
		assertThat(features.has("starttls")).isTrue();
		assertThat(features.has("STARTTLS")).isTrue();
		assertThat(features.has("auth")).isFalse();
		assertThat(features.params("SiZe")).hasValue("1000");
		assertThat(features.params("starttls")).hasValue("");
		assertThat(features.params("auth")).isEmpty();
	}

	@Test
	void oldStyleAuthIsMergedWithAuth() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nAUTH=LOGIN PLAIN\nAUTH PLAIN CRAM-MD5\nHELP");

		assertThat(features.params("auth")).hasValue(" LOGIN PLAIN PLAIN CRAM-MD5");
		assertThat(features.authMechanisms()).containsExactly("LOGIN", "PLAIN", "CRAM-MD5");
		assertThat(features.has("auth=login")).isFalse();
	}

	@Test
	void oldStyleAuthAloneIsEnough() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nauth=login");

		assertThat(features.has("AUTH")).isTrue();
		assertThat(features.authMechanisms()).containsExactly("LOGIN");
	}

	@Test
	void severalAuthLinesAddUp() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nAUTH PLAIN\nAUTH xoauth2 login");

		assertThat(features.params("auth")).hasValue(" PLAIN xoauth2 login");
		assertThat(features.authMechanisms()).containsExactly("PLAIN", "XOAUTH2", "LOGIN");
	}

	@Test
	void laterLineForTheSameKeywordReplacesTheEarlierOne() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nSIZE 100\nsize 200");

		assertThat(features.params("size")).hasValue("200");
		assertThat(features.asMap()).hasSize(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { " SIZE 100", "-SIZE 100", "", "   ", "=x", "(comment)" })
	void linesThatDoNotStartWithAKeywordAreIgnored(String line) {
		assertThat(EsmtpFeatures.parse("mx.test\n" + line).isEmpty()).isTrue();
	}

	@Test
	void greetingOnlyMeansNoFeatures() {
		assertThat(EsmtpFeatures.parse("mx.test").isEmpty()).isTrue();
		assertThat(EsmtpFeatures.parse("").isEmpty()).isTrue();
		assertThat(EsmtpFeatures.parse("mx.test")).isEqualTo(EsmtpFeatures.none());
	}

	@Test
	void noneIsEmpty() {
		EsmtpFeatures none = EsmtpFeatures.none();

		assertThat(none.isEmpty()).isTrue();
		assertThat(none.asMap()).isEmpty();
		assertThat(none.has("size")).isFalse();
		assertThat(none.authMechanisms()).isEmpty();
		assertThat(none.maxMessageSize()).isEmpty();
	}

	@Test
	void authMechanismsAreEmptyWithoutAuthOrWithoutMechanisms() {
		assertThat(EsmtpFeatures.parse("mx.test\nSIZE 10").authMechanisms()).isEmpty();
		assertThat(EsmtpFeatures.parse("mx.test\nAUTH").authMechanisms()).isEmpty();
	}

	@Test
	void authMechanismsAreUpperCasedWithoutRepeats() {
		assertThat(EsmtpFeatures.parse("mx.test\nAUTH cram-md5  plain\tLOGIN Plain").authMechanisms())
			.containsExactly("CRAM-MD5", "PLAIN", "LOGIN");
	}

	@Test
	void maxMessageSizeComesFromSize() {
		assertThat(EsmtpFeatures.parse("mx.test\nSIZE 35882577").maxMessageSize()).hasValue(35882577L);
		assertThat(EsmtpFeatures.parse("mx.test\nSIZE 52428800000").maxMessageSize()).hasValue(52428800000L);
	}

	@ParameterizedTest
	@ValueSource(strings = { "mx.test\nSIZE", "mx.test\nSIZE 0", "mx.test\nSIZE lots", "mx.test\nSIZE -5",
			"mx.test\n8BITMIME" })
	void maxMessageSizeIsEmptyWithoutAPositiveLimit(String ehlo) {
		assertThat(EsmtpFeatures.parse(ehlo).maxMessageSize()).isEmpty();
	}

	@Test
	void asMapIsImmutable() {
		EsmtpFeatures features = EsmtpFeatures.parse("mx.test\nSIZE 10");

		org.assertj.core.api.Assertions.assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> features.asMap().put("starttls", ""));
		assertThat(features.has("starttls")).isFalse();
	}

	@Test
	void equalFeaturesAreEqual() {
		EsmtpFeatures one = EsmtpFeatures.parse("a.test\nSIZE 10\nDSN");
		EsmtpFeatures other = EsmtpFeatures.parse("b.test\nsize 10\ndsn");

		assertThat(one).isEqualTo(other).hasSameHashCodeAs(other);
		assertThat(one).isNotEqualTo(EsmtpFeatures.parse("a.test\nSIZE 20\nDSN"));
		assertThat(one.toString()).contains("size=10");
	}

}
