package io.keyhole.internal.s3;

import io.keyhole.storage.StorageSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The {@code s3-*} settings, checked, and the SDK clients they describe. Bad values are refused
 * with the key's name; secrets are never printed.
 *
 * @param bucket     {@code s3-bucket}
 * @param endpoint   {@code s3-endpoint}, or {@code null} for AWS itself
 * @param region     {@code s3-region}, else the SDK's default chain, else {@code us-east-1}
 * @param prefix     {@code s3-prefix}: empty, or segments ending with {@code /}
 * @param pathStyle  {@code s3-path-style}
 * @param accessKey  {@code s3-access-key}, or {@code null} for the SDK's default chain
 * @param secretKey  {@code s3-secret-key}, set exactly when {@code accessKey} is
 * @param conditional {@code s3-claim=conditional}: new ids are claimed with {@code If-None-Match: *}
 * @param timeout    {@code storage-timeout}
 * @param presignTtl {@code presign-ttl}
 */
record BucketSettings(String bucket, URI endpoint, Region region, String prefix, boolean pathStyle,
                      String accessKey, String secretKey, boolean conditional, Duration timeout, Duration presignTtl) {

    private static final Set<String> KEYS = Set.of("s3-bucket", "s3-endpoint", "s3-region", "s3-prefix",
            "s3-path-style", "s3-access-key", "s3-secret-key", "s3-claim");
    /** Connecting is quick or fails: a bucket that is down is reported within this, whatever storage-timeout is. */
    private static final Duration MAX_CONNECT = Duration.ofSeconds(2);

    static BucketSettings of(StorageSettings s) {
        for (String key : s.options().keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + " is not an option of storage=s3; they are " + KEYS);
            }
        }
        String bucket = s.option("s3-bucket");
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("s3-bucket is required with storage=s3: a bucket name of 3 to 63"
                    + " lowercase letters, digits, dots and hyphens" + (bucket == null ? "" : "; was '" + bucket + "'"));
        }
        URI endpoint = null;
        String e = s.option("s3-endpoint");
        if (e != null) {
            try {
                endpoint = new URI(e);
            } catch (URISyntaxException x) {
                throw new IllegalArgumentException("s3-endpoint is not a URL: " + x.getMessage(), x);
            }
            if (endpoint.getHost() == null || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
                throw new IllegalArgumentException("s3-endpoint must be an http or https URL such as"
                        + " https://minio.example.org:9000; was '" + e + "'");
            }
        }
        String accessKey = s.option("s3-access-key");
        String secretKey = s.option("s3-secret-key");
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("set both s3-access-key and s3-secret-key, or neither (then the SDK's"
                    + " default chain finds credentials: environment, profile, instance role)");
        }
        return new BucketSettings(bucket, endpoint, region(s.option("s3-region")), prefix(s.option("s3-prefix")),
                "yes".equals(s.option("s3-path-style")), accessKey, secretKey,
                !"instance".equals(s.option("s3-claim")), s.timeout(), s.presignTtl());
    }

    private static Region region(String name) {
        if (name != null) {
            if (!name.matches("[a-z0-9-]{1,64}")) {
                throw new IllegalArgumentException("s3-region must be a region name such as eu-west-1; was '" + name + "'");
            }
            return Region.of(name);
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (RuntimeException e) {
            return Region.US_EAST_1;
        }
    }

    /** Empty, or {@code a/b/} style: no leading slash, no empty, {@code .} or {@code ..} segment. */
    static String prefix(String text) {
        if (text == null || text.isEmpty() || text.equals("/")) {
            return "";
        }
        String p = text.startsWith("/") ? text.substring(1) : text;
        p = p.endsWith("/") ? p : p + "/";
        for (String segment : p.substring(0, p.length() - 1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\')) {
                throw new IllegalArgumentException("s3-prefix must be plain path segments such as files/; was '"
                        + text + "'");
            }
        }
        return p;
    }

    /** For log lines: {@code s3://bucket/prefix at endpoint}; never a key. */
    String describe() {
        return "s3://" + bucket + "/" + prefix + (endpoint != null ? " at " + endpoint : "");
    }

    private AwsCredentialsProvider credentials() {
        return accessKey != null ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
                : DefaultCredentialsProvider.builder().build();
    }

    /**
     * The client: the JDK's HTTP connection (no Netty, no Apache client), connect and read
     * timeouts of {@code storage-timeout} (connect at most 2 s), no retries (a bucket that is
     * down answers 503 now, not after back-off), checksums only where S3 requires them (most
     * S3-compatible stores refuse the newer default trailers).
     */
    S3Client client() {
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(connectTimeout()).socketTimeout(timeout).build();
        var builder = S3Client.builder()
                .httpClient(http)
                .region(region)
                .credentialsProvider(credentials())
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(timeout));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /**
     * The download path's requests, addressed as {@code s3} addresses objects (endpoint, region,
     * path style): asked once here, so that both paths always use the same URL.
     */
    BucketReads reads(S3Client s3) {
        URI object;
        try {
            object = s3.utilities().getUrl(b -> b.bucket(bucket).key("k")).toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK addresses objects by a URL that is no URI: " + e.getMessage(), e);
        }
        return new BucketReads(object, region.id(), credentials(), Clock.systemUTC(),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), connectTimeout(), timeout);
    }

    private Duration connectTimeout() {
        return timeout.compareTo(MAX_CONNECT) < 0 ? timeout : MAX_CONNECT;
    }

    /** Signs URLs locally: no request to the bucket. */
    S3Presigner presigner() {
        var builder = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return describe();
    }
}
