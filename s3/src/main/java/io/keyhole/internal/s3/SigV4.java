package io.keyhole.internal.s3;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for requests without a body ({@code GET}, {@code HEAD}), signed in the
 * {@code Authorization} header. What the SDK does for each request in a pipeline of interceptors,
 * done here in a few microseconds: one canonical request, one string to sign, one HMAC with a
 * signing key that changes once a day (kept).
 *
 * <p>Thread-safe.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** SHA-256 of no bytes: the payload hash of a request without a body. */
    static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final HexFormat HEX = HexFormat.of();

    private final String region;
    private final String service;
    /** The signing key of one day and one secret; replaced when either changes. */
    private volatile DayKey dayKey;

    /** An HMAC already keyed with the day's signing key, cloned for each signature (never used itself). */
    private record DayKey(String date, String secret, Mac keyed) {
    }

    /** Cloned for each use: a clone is much cheaper than a provider look-up. */
    private static final MessageDigest SHA256 = newSha256();

    SigV4(String region, String service) {
        this.region = region;
        this.service = service;
    }

    /**
     * The {@code Authorization} header's value.
     *
     * @param method       {@code GET} or {@code HEAD}
     * @param canonicalUri the path as sent, already encoded by {@link #encodePath}
     * @param query        the canonical query string (sorted, encoded), usually empty
     * @param headers      the signed headers: lower-case names, trimmed values, sorted by name;
     *                     must hold {@code host} and {@code x-amz-date}
     * @param payloadHash  hex SHA-256 of the body, {@link #EMPTY_PAYLOAD} for none
     * @param amzDate      {@code x-amz-date}'s value, {@code yyyyMMdd'T'HHmmss'Z'}
     */
    String authorization(String accessKey, String secretKey, String method, String canonicalUri, String query,
                         SortedMap<String, String> headers, String payloadHash, String amzDate) {
        StringBuilder canonical = new StringBuilder(256).append(method).append('\n').append(canonicalUri).append('\n')
                .append(query).append('\n');
        StringBuilder signed = new StringBuilder(64);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            canonical.append(h.getKey()).append(':').append(h.getValue()).append('\n');
            if (!signed.isEmpty()) {
                signed.append(';');
            }
            signed.append(h.getKey());
        }
        canonical.append('\n').append(signed).append('\n').append(payloadHash);
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        String signature = HEX.formatHex(signer(date, secretKey).doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        return ALGORITHM + " Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signed
                + ", Signature=" + signature;
    }

    /** An HMAC keyed with the signing key of {@code date} and {@code secret}, for one signature. */
    private Mac signer(String date, String secret) {
        DayKey k = dayKey;
        if (k == null || !k.date.equals(date) || !k.secret.equals(secret)) {
            k = new DayKey(date, secret, mac(signingKey(date, secret)));
            dayKey = k;
        }
        try {
            return (Mac) k.keyed.clone();
        } catch (CloneNotSupportedException e) {
            return mac(signingKey(date, secret));
        }
    }

    private byte[] signingKey(String date, String secret) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    /**
     * A path for both the request line and the canonical request: each byte outside the
     * unreserved set ({@code A-Z a-z 0-9 - _ . ~}) as {@code %XX} of its UTF-8, {@code /} kept.
     * S3 encodes the path once, not twice as other services do.
     */
    static String encodePath(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static byte[] sha256(byte[] data) {
        try {
            return ((MessageDigest) SHA256.clone()).digest(data);
        } catch (CloneNotSupportedException e) {
            return newSha256().digest(data);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        return mac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
