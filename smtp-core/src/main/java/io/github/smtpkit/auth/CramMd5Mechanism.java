package io.github.smtpkit.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CRAM-MD5 (RFC 2195): no initial response; the answer to the challenge is the user name, a
 * space and the hex HMAC-MD5 of the challenge keyed with the password (UTF-8).
 */
final class CramMd5Mechanism implements AuthMechanism {

	@Override
	public String name() {
		return "CRAM-MD5";
	}

	@Override
	public SmtpAuthenticator authenticator(String username, String password) {
		byte[] key = password.getBytes(StandardCharsets.UTF_8);
		return (challenge) -> {
			if (challenge == null) {
				return null;
			}
			String digest = HexFormat.of().formatHex(hmacMd5(key, challenge));
			return (username + " " + digest).getBytes(StandardCharsets.UTF_8);
		};
	}

	private static byte[] hmacMd5(byte[] key, byte[] challenge) {
		try {
			Mac mac = Mac.getInstance("HmacMD5");
			// An empty key is legal in HMAC but refused by SecretKeySpec; one zero byte is the same key.
			mac.init(new SecretKeySpec((key.length > 0) ? key : new byte[1], "HmacMD5"));
			return mac.doFinal(challenge);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacMD5 is not available in this JDK", ex);
		}
	}

	@Override
	public String toString() {
		return name();
	}

}
