package io.keyhole.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token format of Django sites that sign media URLs with Django's {@code TimestampSigner}
 * (separator {@code :}, its default salt), as the crossdomainmedia library does: the signed text
 * is the media URL's path, e.g. {@code /media/docs/report.pdf}, and the URL carries the last two
 * parts of the signed value, {@code token=<base62 timestamp>:<signature>}. The signature is
 * HMAC-SHA256 under Django's salted key derivation from {@code SECRET_KEY}: the key is
 * SHA-256 of {@code "django.core.signing.TimestampSignersigner" + SECRET_KEY}; the MAC goes out
 * as base64url without padding. Immutable and thread-safe.
 */
final class DjangoTokens {

    /** Django's default salt for a {@code TimestampSigner}: its module and class name, then {@code signer}. */
    private static final String KEY_SALT = "django.core.signing.TimestampSigner" + "signer";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int SIGNATURE_CHARS = 43;
    /** Base62 digits of any timestamp before the year 10000. */
    private static final int MAX_TIMESTAMP_CHARS = 7;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** Characters Django's {@code reverse()} leaves unescaped in a path, besides letters, digits and {@code -._}. */
    private static final String PATH_SAFE = "/~:@!$&'()*+,;=";

    /** The derived keys: the current secret's first, then the fallbacks'. */
    private final List<SecretKeySpec> keys;

    DjangoTokens(List<byte[]> secrets) {
        this.keys = secrets.stream().map(DjangoTokens::derive).toList();
    }

    private static SecretKeySpec derive(byte[] secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(KEY_SALT.getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(sha256.digest(secret), "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** How many secrets verify. */
    int size() {
        return keys.size();
    }

    /** The token for {@code urlPath} signed now: {@code <base62 seconds>:<signature>}. */
    String sign(String urlPath, long epochSecond) {
        String timestamp = base62(epochSecond);
        return timestamp + ':' + signature(keys.get(0), urlPath + ':' + timestamp);
    }

    /**
     * The timestamp of {@code token}, in Unix seconds, when one of the keys signed it for
     * {@code urlPath} (compared in constant time); {@code -1} for a malformed or wrongly signed token.
     */
    long verify(String token, String urlPath) {
        int colon = token.indexOf(':');
        if (colon < 1 || colon > MAX_TIMESTAMP_CHARS || token.length() != colon + 1 + SIGNATURE_CHARS) {
            return -1;
        }
        String timestamp = token.substring(0, colon);
        long seconds = parseBase62(timestamp);
        if (seconds < 0) {
            return -1;
        }
        byte[] given = token.substring(colon + 1).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (SecretKeySpec key : keys) {
            // every key is tried, so the time taken does not tell which one matched
            match |= MessageDigest.isEqual(signature(key, urlPath + ':' + timestamp).getBytes(StandardCharsets.US_ASCII),
                    given);
        }
        return match ? seconds : -1;
    }

    private static String signature(SecretKeySpec key, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return BASE64URL.encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    static String base62(long n) {
        if (n == 0) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        for (long v = n; v > 0; v /= 62) {
            out.append(BASE62.charAt((int) (v % 62)));
        }
        return out.reverse().toString();
    }

    /** A non-negative base62 number in Django's alphabet, without leading zeros; {@code -1} otherwise. */
    static long parseBase62(String text) {
        if (text.isEmpty() || text.length() > MAX_TIMESTAMP_CHARS || text.length() > 1 && text.charAt(0) == '0') {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            int d = BASE62.indexOf(text.charAt(i));
            if (d < 0) {
                return -1;
            }
            n = n * 62 + d;
        }
        return n;
    }

    /**
     * The path as Django's {@code reverse()} writes it in a URL, and so signs it: UTF-8, every byte
     * escaped but letters, digits, {@code -._} and {@value #PATH_SAFE}.
     */
    static String urlPath(String prefix, MediaPath path) {
        StringBuilder out = new StringBuilder(prefix);
        for (byte b : path.value().getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c < 0x80 && PATH_SAFE.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
