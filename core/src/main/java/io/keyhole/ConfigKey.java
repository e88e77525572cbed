package io.keyhole;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.credential.AuthFilter;
import io.keyhole.credential.TokenSource;
import io.keyhole.internal.Settings;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.MediaUrlSigner;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Every text configuration key, in one table: its name, how often it is needed, its default as
 * users read it, and how its text becomes a builder setting. Servlet init-params, the
 * {@code .properties} file of {@code keyhole serve}, the attributes of the Tomcat valve and any
 * other text source go through {@link KeyholeConfig.Builder#properties}, which applies the keys
 * in the order of this table; {@link MediaSettings.Builder#properties} does the same for the
 * {@linkplain #media() media keys}. The README's configuration reference lists exactly these
 * keys, in these groups, with these defaults (a test holds it to this table).
 */
public enum ConfigKey {

    FS_ROOT("fs-root", Group.ESSENTIAL, "— (required)", "the directory holding the hashed tree",
            tree((b, v) -> b.fsRoot(Path.of(v)))),
    FS_DEPTH("fs-depth", Group.ESSENTIAL, "4", "directory levels of the tree, 1..8",
            tree((b, v) -> b.fsDepth(Settings.integer("fs-depth", v)))),
    MOUNT("mount", Group.ESSENTIAL, "/", "the URL prefix under which ids are served",
            tree((b, v) -> b.mount(v))),
    REQUEST_TYPE("request-type", Group.RARE, "json",
            "how the backend is asked: json, sql, internal (metadata beside each file) or none (the matrices decide)",
            tree((b, v) -> b.requestType(v))),
    TRANSPORT_TYPE("transport-type", Group.RARE, "unix (mysql with sql)",
            "how the question travels: unix, tcp, http or redis; with sql mysql or jdbc",
            tree((b, v) -> b.transportType(v))),
    UNIX_SOCKET("unix-socket", Group.ESSENTIAL, "— (required unless an Authorizer is given in code)",
            "the backend's stream socket", tree((b, v) -> b.unixSocket(Path.of(v)))),
    TCP_HOST("tcp-host", Group.RARE, "—", "the backend's host for transport-type=tcp",
            tree((b, v) -> b.tcpHost(v))),
    TCP_PORT("tcp-port", Group.RARE, "—", "the backend's port for transport-type=tcp",
            tree((b, v) -> b.tcpPort(Settings.integer("tcp-port", v)))),
    HTTP_URL("http-url", Group.RARE, "—", "where transport-type=http POSTs the question",
            tree((b, v) -> b.httpUrl(uri("http-url", v)))),
    SQL_DSN("sql-dsn", Group.ESSENTIAL, "— (required with request-type=sql)",
            "where the database is: host:port:user:password:database or a jdbc: URL",
            tree((b, v) -> b.sqlDsn(v))),
    SQL_PASSWORD("sql-password", Group.ESSENTIAL, "the DSN's", "the database password: file:/path, env:NAME or the value",
            tree((b, v) -> b.sqlPassword(SqlAuthorizer.readSecret("sql-password", v)))),
    SQL_QUERY("sql-query", Group.ESSENTIAL, "SELECT * FROM cdn WHERE file_id = :file_id AND auth_value = :auth_value",
            "the query that authorises a download", tree((b, v) -> b.sqlQuery(v))),
    SQL_NO_ROW("sql-no-row", Group.RARE, "404", "what a query without a row answers: 404, 403 or empty",
            tree((b, v) -> b.sqlNoRow(SqlAuthorizer.NoRow.parse(v)))),
    SQL_POOL_SIZE("sql-pool-size", Group.FREQUENT, "10", "most database connections in use at once",
            tree((b, v) -> b.sqlPoolSize(Settings.integer("sql-pool-size", v)))),
    SQL_POOL_WAIT("sql-pool-wait", Group.FREQUENT, "auth-connect-timeout",
            "how long a request may wait for a free connection",
            tree((b, v) -> b.sqlPoolWait(Settings.duration("sql-pool-wait", v)))),
    SQL_INSERT_QUERY("sql-insert-query", Group.RARE, "see docs/sql.md", "the statement that records an upload",
            tree((b, v) -> b.sqlInsertQuery(v))),
    SQL_DELETE_QUERY("sql-delete-query", Group.RARE, "see docs/sql.md", "the statement that forgets a deleted file",
            tree((b, v) -> b.sqlDeleteQuery(v))),
    JSON_FIELDS("json-fields", Group.RARE, "seed", "the JSON field names: seed or later",
            tree((b, v) -> b.jsonFields(JsonRequestType.Fields.valueOf(
                    Settings.oneOf("json-fields", v, "seed", "later").toUpperCase(Locale.ROOT))))),
    JWT_KEY("jwt-key", Group.ESSENTIAL, "none: no JWT", "the HMAC secret, inline or file:/path; makes a JWT required",
            tree((b, v) -> b.jwtKey(Settings.secret("jwt-key", v)))),
    JWT_ALGORITHM("jwt-algorithm", Group.RARE, "HS256",
            "HS256, HS384 or HS512 with jwt-key; with public keys the algorithm of RSA keys that name none",
            tree((b, v) -> b.jwtAlgorithm(v))),
    JWT_FIELD("jwt-field", Group.ESSENTIAL, "none", "the claim sent to the backend as the auth value",
            tree((b, v) -> b.jwtField(v))),
    JWT_LEEWAY("jwt-leeway", Group.RARE, "30s", "clock skew tolerated on exp and nbf",
            tree((b, v) -> b.jwtLeeway(Settings.duration("jwt-leeway", v)))),
    JWT_HEADER("jwt-header", Group.FREQUENT, "—", "the header that carries the JWT instead of Authorization: Bearer",
            tree((b, v) -> b.tokenSource(TokenSource.header(Settings.token("jwt-header", v)))), "jwt-cookie"),
    JWT_COOKIE("jwt-cookie", Group.FREQUENT, "—", "the cookie that carries the JWT",
            tree((b, v) -> b.tokenSource(TokenSource.cookie(Settings.token("jwt-cookie", v))))),
    JWT_KEY_FILE("jwt-key-file", Group.FREQUENT, "—",
            "public keys that verify tokens, PEM or a JWK set, instead of jwt-key",
            tree((b, v) -> b.jwtKeyFile(Path.of(v)))),
    JWT_JWKS_URL("jwt-jwks-url", Group.FREQUENT, "—", "where the identity provider publishes its keys (JWKS), https",
            tree((b, v) -> b.jwtJwksUrl(uri("jwt-jwks-url", v)))),
    JWT_AUDIENCE("jwt-audience", Group.FREQUENT, "— (no check)", "the aud values accepted, a comma list",
            tree((b, v) -> b.jwtAudience(Settings.list(v)))),
    JWT_ISSUER("jwt-issuer", Group.FREQUENT, "— (no check)", "the iss every token must carry",
            tree((b, v) -> b.jwtIssuer(v))),
    JWT_MAX_LIFETIME("jwt-max-lifetime", Group.FREQUENT, "— (no limit)",
            "the longest a token may be valid, from iat or from now",
            tree((b, v) -> b.jwtMaxLifetime(Settings.duration("jwt-max-lifetime", v)))),
    JSON_EXTENDED("json-extended", Group.RARE, "no",
            "also send Authorization, If-None-Match, If-Modified-Since and all cookies",
            tree((b, v) -> b.jsonExtended(Settings.yesNo("json-extended", v)))),
    JSON_EXTRA_HEADERS("json-extra-headers", Group.RARE, "—", "further headers to send, a comma list",
            tree((b, v) -> b.jsonExtraHeaders(Settings.list(v)))),
    ALL_HEADERS("all-headers", Group.RARE, "no", "send every request header",
            tree((b, v) -> b.allHeaders(Settings.yesNo("all-headers", v)))),
    ALL_COOKIES("all-cookies", Group.RARE, "no", "send every cookie",
            tree((b, v) -> b.allCookies(Settings.yesNo("all-cookies", v)))),
    MATRIX_DOWNLOAD("matrix-download", Group.RARE, "allow:deny:deny:deny",
            "what an answer without status means for a download",
            tree((b, v) -> b.downloadMatrix(matrix("matrix-download", v)))),
    READ_ONLY("read-only", Group.RARE, "yes", "no accepts uploads and deletes",
            tree((b, v) -> b.readOnly(Settings.yesNo("read-only", v)))),
    UPLOAD_MAX_SIZE("upload-max-size", Group.RARE, "100m", "the largest uploaded file, bytes or k/m/g",
            tree((b, v) -> b.uploadMaxSize(Uploads.parseSize("upload-max-size", v)))),
    MATRIX_UPLOAD("matrix-upload", Group.RARE, "allow:allow:deny:deny",
            "what an answer without status means for an upload",
            tree((b, v) -> b.uploadMatrix(matrix("matrix-upload", v)))),
    MATRIX_DELETE("matrix-delete", Group.RARE, "allow:deny:deny:deny",
            "what an answer without status means for a delete",
            tree((b, v) -> b.deleteMatrix(matrix("matrix-delete", v)))),
    INSTANCE_ID("instance-id", Group.RARE, "process id and start time", "this instance's name in new file ids",
            tree((b, v) -> b.instanceId(v))),
    DELIVERY("delivery", Group.FREQUENT, "stream", "who sends the bytes: stream, x-accel-redirect, x-sendfile or redirect",
            tree((b, v) -> b.delivery(deliveryMode(v)))),
    ACCEL_PREFIX("accel-prefix", Group.FREQUENT, "— (required for offloaded delivery)",
            "the front server's internal location, e.g. /protected/",
            tree((b, v) -> b.accelPrefix(v))),
    RENDERER("renderer", Group.FREQUENT, "auto", "how the JVM sends the bytes: auto, stream, jetty or tomcat",
            tree((b, v) -> b.renderer(v))),
    AUTH_CONNECT_TIMEOUT("auth-connect-timeout", Group.FREQUENT, "1s", "the most connecting to the backend may take",
            tree((b, v) -> b.authConnectTimeout(Settings.duration("auth-connect-timeout", v)))),
    AUTH_TIMEOUT("auth-timeout", Group.FREQUENT, "5s", "the most the backend may take to answer",
            tree((b, v) -> b.authTimeout(Settings.duration("auth-timeout", v)))),
    AUTH_KEEP_ALIVE("auth-keep-alive", Group.FREQUENT, "0 (a connection per question)",
            "idle connections to the backend kept open between questions (unix, tcp; the backend must answer line by line)",
            tree((b, v) -> b.authKeepAlive(Settings.integer("auth-keep-alive", v)))),
    AUTH_KEEP_ALIVE_TIMEOUT("auth-keep-alive-timeout", Group.FREQUENT, "60s",
            "how long an unused kept connection is kept",
            tree((b, v) -> b.authKeepAliveTimeout(Settings.duration("auth-keep-alive-timeout", v)))),
    CACHE_CONTROL("cache-control", Group.FREQUENT, "private", "the Cache-Control of granted answers",
            tree((b, v) -> b.cacheControl(v))),
    MAX_RANGES("max-ranges", Group.RARE, "16", "the most ranges honoured in one request",
            tree((b, v) -> b.maxRanges(Settings.integer("max-ranges", v)))),
    AUTH_CACHE_TTL("auth-cache-ttl", Group.FREQUENT, "0 (off)",
            "how long this instance remembers a grant; 0 asks the backend on every request",
            tree((b, v) -> b.authCacheTtl(Settings.duration("auth-cache-ttl", v)))),
    AUTH_CACHE_NEGATIVE_TTL("auth-cache-negative-ttl", Group.FREQUENT, "0 (off)",
            "how long this instance remembers a 403 or 404 (never a 5xx)",
            tree((b, v) -> b.authCacheNegativeTtl(Settings.duration("auth-cache-negative-ttl", v)))),
    AUTH_CACHE_SIZE("auth-cache-size", Group.FREQUENT, "10000", "most decisions remembered at once",
            tree((b, v) -> b.authCacheSize(Settings.integer("auth-cache-size", v)))),
    OPEN_CACHE_VALID("open-cache-valid", Group.FREQUENT, "0 (off)",
            "how long a file opened and checked (a bucket: a small object read) is kept for the next requests for it",
            tree((b, v) -> b.openCacheValid(Settings.duration("open-cache-valid", v)))),
    OPEN_CACHE_SIZE("open-cache-size", Group.FREQUENT, "1000", "most files (or a bucket's objects) kept at once",
            tree((b, v) -> b.openCacheSize(Settings.integer("open-cache-size", v)))),
    CONTENT_SECURITY_POLICY("content-security-policy", Group.RARE, "sandbox",
            "the Content-Security-Policy of served files (PDF excepted), or none",
            tree((b, v) -> b.contentSecurityPolicy(ActiveContent.parsePolicy(v)))),
    ACTIVE_UPLOADS("active-uploads", Group.RARE, "attachment",
            "uploads of HTML, SVG, XML, JavaScript: stored as attachment, or as-sent",
            tree((b, v) -> b.inlineActiveUploads(ActiveContent.parseInline(v)))),
    AUDIT("audit", Group.FREQUENT, "no",
            "yes writes one JSON line per answered request to the logger io.keyhole.audit",
            tree((b, v) -> b.audit(Settings.yesNo("audit", v)))),
    CREDENTIAL("credential", Group.FREQUENT, "jwt", "jwt, or session: the raw cookie or header value, unverified",
            tree((b, v) -> b.credential(v))),
    AUTH_FILTER("auth-filter", Group.RARE, "—", "the part of the credential value sent: <delimiter>:<part from 1>",
            tree((b, v) -> b.authFilter(AuthFilter.parse(v)))),
    CORS_ORIGINS("cors-origins", Group.FREQUENT, "— (no cross-origin reads)",
            "origins whose scripts may read answers, a comma list, or *",
            tree((b, v) -> b.corsOrigins(Settings.list(v)))),
    CORS_CREDENTIALS("cors-credentials", Group.RARE, "no", "let allowed origins send cookies and HTTP authentication",
            tree((b, v) -> b.corsCredentials(Settings.yesNo("cors-credentials", v)))),
    UPLOAD_ANSWER("upload-answer", Group.RARE, "json", "json (201, JSON, Location) or module (200, the id as text)",
            tree((b, v) -> b.uploadAnswer(v))),
    INTERNAL_CACHE_SIZE("internal-cache-size", Group.RARE, "0 (none)",
            "metadata kept in memory with request-type=internal, bytes or k/m/g",
            tree((b, v) -> b.internalCacheSize(v.strip().equals("0") ? 0 : Uploads.parseSize("internal-cache-size", v)))),
    REDIS_HOST("redis-host", Group.FREQUENT, "127.0.0.1", "where Redis listens for transport-type=redis",
            tree((b, v) -> b.redisHost(v))),
    REDIS_PORT("redis-port", Group.FREQUENT, "6379", "Redis's port",
            tree((b, v) -> b.redisPort(Settings.integer("redis-port", v)))),
    REDIS_PASSWORD("redis-password", Group.RARE, "—", "Redis's password: file:/path, env:NAME or the value",
            tree((b, v) -> b.redisPassword(SqlAuthorizer.readSecret("redis-password", v)))),
    STORAGE("storage", Group.FREQUENT, "local", "where the tree is kept: local (fs-root) or s3 (keyhole-s3)",
            tree((b, v) -> b.storage(v))),
    STORAGE_TIMEOUT("storage-timeout", Group.FREQUENT, "5s", "the most one request to a bucket may take (then 504)",
            tree((b, v) -> b.storageTimeout(Settings.duration("storage-timeout", v)))),
    S3_BUCKET("s3-bucket", Group.FREQUENT, "— (required with storage=s3)", "the bucket holding the tree",
            tree((b, v) -> b.storageOption("s3-bucket", v))),
    S3_ENDPOINT("s3-endpoint", Group.FREQUENT, "AWS", "the URL of an S3-compatible store (MinIO, Ceph, R2...)",
            tree((b, v) -> b.storageOption("s3-endpoint", uri("s3-endpoint", v).toString()))),
    S3_REGION("s3-region", Group.FREQUENT, "the SDK's default chain, else us-east-1", "the bucket's region",
            tree((b, v) -> b.storageOption("s3-region", v))),
    S3_PREFIX("s3-prefix", Group.RARE, "—", "a key prefix before a/b/c/d/<id>, e.g. files/",
            tree((b, v) -> b.storageOption("s3-prefix", v))),
    S3_PATH_STYLE("s3-path-style", Group.RARE, "no", "address the bucket in the path, not the host name (MinIO, S3Proxy)",
            tree((b, v) -> b.storageOption("s3-path-style", Settings.yesNo("s3-path-style", v) ? "yes" : "no"))),
    S3_ACCESS_KEY("s3-access-key", Group.FREQUENT, "the SDK's default chain", "the access key id: file:/path, env:NAME or the value",
            tree((b, v) -> b.storageOption("s3-access-key", SqlAuthorizer.readSecret("s3-access-key", v)))),
    S3_SECRET_KEY("s3-secret-key", Group.FREQUENT, "the SDK's default chain", "the secret key: file:/path, env:NAME or the value",
            tree((b, v) -> b.storageOption("s3-secret-key", SqlAuthorizer.readSecret("s3-secret-key", v)))),
    S3_CLAIM("s3-claim", Group.RARE, "conditional", "how a new id is claimed: conditional (If-None-Match: *) or instance",
            tree((b, v) -> b.storageOption("s3-claim", Settings.oneOf("s3-claim", v, "conditional", "instance")))),
    PRESIGN_TTL("presign-ttl", Group.RARE, "60s", "how long the presigned URL of delivery=redirect is valid",
            tree((b, v) -> b.presignTtl(Settings.duration("presign-ttl", v)))),

    SITE_URL("site-url", Group.ESSENTIAL, "— (required with an absolute media-url)",
            "the application's base URL, where browsers get fresh tokens",
            media((m, v) -> m.siteUrl(v))),
    MEDIA_URL("media-url", Group.ESSENTIAL, "— (setting it turns on media mode)",
            "the media host's base URL; a path such as /media/ means development mode",
            media((m, v) -> m.mediaUrl(v))),
    MEDIA_ROOT("media-root", Group.ESSENTIAL,
            "— (required on the media host, and on the application in development mode)",
            "the directory media paths are relative to", media((m, v) -> m.mediaRoot(Path.of(v)))),
    INTERNAL_MEDIA_PREFIX("internal-media-prefix", Group.FREQUENT, "—",
            "the front server's internal location for media, e.g. /protected/",
            media((m, v) -> m.internalMediaPrefix(v))),
    MEDIA_PUBLIC_PATHS("media-public-paths", Group.FREQUENT, "—", "media paths served without a token, a comma list",
            media((m, v) -> m.publicPaths(Settings.list(v)))),
    MEDIA_KEY("media-key", Group.ESSENTIAL, "— (required with an absolute media-url)",
            "the key that signs tokens: id:secret or id:file:/path",
            media((m, v) -> {
                String[] key = keySpec("media-key", v);
                m.signingKey(key[0], Settings.secret("media-key", key[1]));
            })),
    MEDIA_VERIFY_KEYS("media-verify-keys", Group.FREQUENT, "—", "further keys that only verify, a comma list",
            media((m, v) -> {
                for (String one : Settings.list(v)) {
                    String[] key = keySpec("media-verify-keys", one);
                    m.verifyingKey(key[0], Settings.secret("media-verify-keys", key[1]));
                }
            })),
    MEDIA_TOKEN_LIFETIME("media-token-lifetime", Group.FREQUENT, "120s", "how long a new token is valid",
            media((m, v) -> m.tokenLifetime(Settings.duration("media-token-lifetime", v)))),
    MEDIA_TOKEN_LEEWAY("media-token-leeway", Group.RARE, "10s", "clock difference tolerated between the hosts",
            media((m, v) -> m.tokenLeeway(Settings.duration("media-token-leeway", v)))),
    MEDIA_BIND_METHOD("media-bind-method", Group.RARE, "yes", "whether a token is bound to its HTTP method",
            media((m, v) -> m.bindMethod(Settings.yesNo("media-bind-method", v)))),
    MEDIA_TOKEN_FORMAT("media-token-format", Group.FREQUENT, "keyhole",
            "keyhole, or django for the tokens of Django's TimestampSigner (crossdomainmedia)",
            media((m, v) -> m.tokenFormat(MediaUrlSigner.Format.valueOf(
                    Settings.oneOf("media-token-format", v, "keyhole", "django").toUpperCase(Locale.ROOT))))),
    DJANGO_SECRET_KEY("django-secret-key", Group.FREQUENT, "— (required with media-token-format=django)",
            "the Django site's SECRET_KEY: inline, file:/path or env:NAME",
            media((m, v) -> m.djangoSecretKey(Settings.secret("django-secret-key", v)))),
    DJANGO_SECRET_KEY_FALLBACKS("django-secret-key-fallbacks", Group.RARE, "—",
            "former SECRET_KEYs that still verify (SECRET_KEY_FALLBACKS), a comma list",
            media((m, v) -> {
                for (String one : Settings.list(v)) {
                    m.djangoSecretKeyFallback(Settings.secret("django-secret-key-fallbacks", one));
                }
            })),
    MEDIA_TOKEN_MAX_AGE("media-token-max-age", Group.FREQUENT, "120s",
            "how long after its timestamp a Django-format token is accepted",
            media((m, v) -> m.tokenMaxAge(Settings.duration("media-token-max-age", v)))),
    MEDIA_COOKIE("media-cookie", Group.FREQUENT, "— (tokens in URLs only)",
            "the cookie in which the media host keeps a directory token for the files below it",
            media((m, v) -> m.cookie(v)));

    /**
     * How often a key is needed, as the README groups them. Each mode has its own essentials: a
     * hashed tree with a socket backend, an SQL backend, a cross-domain media host.
     */
    public enum Group {
        /** Set by nearly every deployment of its kind. */
        ESSENTIAL,
        /** Set by many: where the token is, how bytes leave, timeouts. */
        FREQUENT,
        /** The defaults suit most. */
        RARE
    }

    private static final Set<String> NAMES = names(false);
    private static final Set<String> MEDIA_NAMES = names(true);

    private final String key;
    private final Group group;
    private final String defaultValue;
    private final String description;
    private final Parser parser;
    private final String exclusiveWith;

    ConfigKey(String key, Group group, String defaultValue, String description, Parser parser) {
        this(key, group, defaultValue, description, parser, null);
    }

    /** @param exclusiveWith a key that may not be given together with this one */
    ConfigKey(String key, Group group, String defaultValue, String description, Parser parser, String exclusiveWith) {
        this.key = key;
        this.group = group;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
        this.exclusiveWith = exclusiveWith;
    }

    /** The key as written in text, e.g. {@code fs-root}. */
    public String key() {
        return key;
    }

    /** How often it is needed. */
    public Group group() {
        return group;
    }

    /**
     * The default as users read it: a value such as {@code 5s}, or words such as
     * {@code — (required)} when there is none.
     */
    public String defaultValue() {
        return defaultValue;
    }

    /** What it sets, in one line. */
    public String description() {
        return description;
    }

    /** Whether it is a cross-domain media key, read by {@link MediaSettings}. */
    public boolean media() {
        return parser.media != null;
    }

    /** The key named {@code name}, exactly as written. */
    public static Optional<ConfigKey> of(String name) {
        for (ConfigKey k : values()) {
            if (k.key.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** Every key's name, in the order of the table. */
    public static Set<String> names() {
        return NAMES;
    }

    /** The names of the {@linkplain #media() media keys}, in the order of the table. */
    public static Set<String> mediaNames() {
        return MEDIA_NAMES;
    }

    /**
     * Applies a text value to a builder, as {@link KeyholeConfig.Builder#properties} does. A media
     * key is kept and read when the configuration is built.
     *
     * @throws IllegalArgumentException naming the key when the value is bad
     * @throws IllegalStateException    when the setting was already made
     */
    public void apply(KeyholeConfig.Builder builder, String value) {
        if (media()) {
            builder.mediaText(key, value);
        } else {
            parser.tree.accept(builder, value);
        }
    }

    /**
     * Applies a text value of a {@linkplain #media() media key} to a builder, as
     * {@link MediaSettings.Builder#properties} does.
     *
     * @throws IllegalArgumentException naming the key when the value is bad, or when this is not a media key
     * @throws IllegalStateException    when the setting was already made
     */
    public void apply(MediaSettings.Builder builder, String value) {
        if (!media()) {
            throw new IllegalArgumentException(key + " is not a media setting; the media settings are "
                    + String.join(", ", MEDIA_NAMES));
        }
        parser.media.accept(builder, value);
    }

    /**
     * Applies one of several text settings: first refuses it when a key it excludes is among
     * {@code given}, so that the message names both.
     */
    void apply(KeyholeConfig.Builder builder, String value, Set<String> given) {
        if (exclusiveWith != null && given.contains(exclusiveWith)) {
            throw new IllegalArgumentException("set " + key + " or " + exclusiveWith + ", not both");
        }
        apply(builder, value);
    }

    private static Set<String> names(boolean mediaOnly) {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigKey k : values()) {
            if (!mediaOnly || k.media()) {
                names.add(k.key);
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /** How a key's text reaches a builder: exactly one of the two is set. */
    private record Parser(BiConsumer<KeyholeConfig.Builder, String> tree, BiConsumer<MediaSettings.Builder, String> media) {
    }

    private static Parser tree(BiConsumer<KeyholeConfig.Builder, String> parser) {
        return new Parser(parser, null);
    }

    private static Parser media(BiConsumer<MediaSettings.Builder, String> parser) {
        return new Parser(null, parser);
    }

    private static URI uri(String key, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a URL: " + e.getMessage(), e);
        }
    }

    private static AuthMatrix matrix(String key, String text) {
        try {
            return AuthMatrix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static DeliveryMode deliveryMode(String value) {
        for (DeliveryMode m : DeliveryMode.values()) {
            if (m.key().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("delivery must be one of stream, x-accel-redirect, x-sendfile, redirect; was '"
                + value + "'");
    }

    /** {@code id:secret} or {@code id:file:/path}. */
    private static String[] keySpec(String key, String value) {
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(key + " must read id:secret or id:file:/path, e.g. k1:file:"
                    + "/etc/keyhole/media-k1.key");
        }
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }
}
