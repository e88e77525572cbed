package io.keyhole.internal.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.net.ssl.SSLSocketFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The download path's requests to the bucket: {@code GET} and {@code HEAD} of one object, signed
 * here ({@link SigV4}) and sent on {@link BucketHttp}'s pooled connections, without the SDK's
 * per-request pipeline. Where the objects are (host, path style, the endpoint's path) is asked of
 * the SDK once, at start, so both paths address the same URL.
 *
 * <p>Thread-safe.
 */
final class BucketReads implements AutoCloseable {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final BucketHttp http;
    private final SigV4 signer;
    private final AwsCredentialsProvider credentials;
    private final Clock clock;
    /** The {@code Host} header: the host, and the port when it is not the scheme's default. */
    private final String hostHeader;
    /** The encoded path before the key, ending with {@code /}: {@code /bucket/} path style, else {@code /}. */
    private final String basePath;

    /**
     * @param objectUrl the URL of the object {@code k} as the SDK addresses it, e.g.
     *                  {@code http://127.0.0.1:9000/bucket/k} or {@code https://bucket.s3.eu-west-1.amazonaws.com/k}
     * @param tls       the verified TLS sockets for an {@code https} URL; ignored for {@code http}
     */
    BucketReads(URI objectUrl, String region, AwsCredentialsProvider credentials, Clock clock, SSLSocketFactory tls,
                Duration connect, Duration timeout) {
        String path = objectUrl.getRawPath();
        if (!path.endsWith("/k")) {
            throw new IllegalStateException("the SDK addresses the object k as " + objectUrl);
        }
        boolean secure = objectUrl.getScheme().equals("https");
        int port = objectUrl.getPort() >= 0 ? objectUrl.getPort() : secure ? 443 : 80;
        this.hostHeader = objectUrl.getHost() + (objectUrl.getPort() >= 0 && port != (secure ? 443 : 80) ? ":" + port : "");
        this.basePath = path.substring(0, path.length() - 1);
        this.http = new BucketHttp(objectUrl.getHost(), port, secure ? tls : null, connect, timeout);
        this.signer = new SigV4(region, "s3");
        this.credentials = credentials;
        this.clock = clock;
    }

    /** Connections opened so far. */
    long connectionsOpened() {
        return http.opened();
    }

    /**
     * @param method  {@code GET} or {@code HEAD}
     * @param range   a {@code Range} value, or {@code null}
     * @param ifMatch an {@code If-Match} value, or {@code null}
     */
    BucketHttp.Answer send(String method, String key, String range, String ifMatch) throws IOException {
        String path = basePath + SigV4.encodePath(key);
        String amzDate = AMZ_DATE.format(clock.instant());
        AwsCredentials c = credentials.resolveCredentials();
        SortedMap<String, String> signed = new TreeMap<>();
        signed.put("host", hostHeader);
        signed.put("x-amz-content-sha256", SigV4.EMPTY_PAYLOAD);
        signed.put("x-amz-date", amzDate);
        String token = c instanceof AwsSessionCredentials session ? session.sessionToken() : null;
        if (token != null) {
            signed.put("x-amz-security-token", token);
        }
        StringBuilder head = new StringBuilder(512).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        header(head, "Range", range);
        header(head, "If-Match", ifMatch);
        header(head, "X-Amz-Content-SHA256", SigV4.EMPTY_PAYLOAD);
        header(head, "X-Amz-Date", amzDate);
        header(head, "X-Amz-Security-Token", token);
        header(head, "Authorization", signer.authorization(c.accessKeyId(), c.secretAccessKey(), method, path, "",
                signed, SigV4.EMPTY_PAYLOAD, amzDate));
        head.append("\r\n");
        return http.send(head.toString().getBytes(StandardCharsets.ISO_8859_1), method.equals("HEAD"));
    }

    /** Appends {@code name: value}; a value with a line break or other control character is refused. */
    private static void header(StringBuilder head, String name, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 && ch != '\t' || ch >= 0x7f) {
                throw new IllegalArgumentException(name + " would carry character 0x" + Integer.toHexString(ch));
            }
        }
        head.append(name).append(": ").append(value).append("\r\n");
    }

    @Override
    public void close() {
        http.close();
    }
}
