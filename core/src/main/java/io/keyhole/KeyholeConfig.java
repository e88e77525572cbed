package io.keyhole;

import static io.keyhole.ConfigDraft.headerValue;
import static io.keyhole.ConfigDraft.nonBlank;
import static io.keyhole.ConfigDraft.notNegative;
import static io.keyhole.ConfigDraft.oneOf;
import static io.keyhole.ConfigDraft.positive;
import static io.keyhole.ConfigDraft.slashed;
import static io.keyhole.ConfigDraft.token;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.authorizer.Backend;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.KeepAlive;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.credential.JwtSettings;
import io.keyhole.credential.SignedInCaller;
import io.keyhole.credential.TokenSource;
import io.keyhole.internal.Settings;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.storage.StorageSettings;
import io.keyhole.tree.HashedTree;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Everything Keyhole needs to serve one mount: a value that describes the backend, the JWT check
 * and the store and builds none of them ({@link Keyhole} starts the live parts and closes them).
 * Built by {@link Builder}, from code or from text ({@link #fromProperties(Map)}: init-params, a
 * {@code .properties} file); bad values are rejected with a message naming the key.
 *
 * @param tree              where the files live; {@code null} in media mode
 * @param mount             URL prefix (below the context) under which ids are served, ends with {@code /}
 * @param backend           who decides; {@code toString()} describes it; {@code null} in media mode
 * @param jwt               how JWTs are checked, or {@code null} when requests carry no JWT
 * @param tokenSource       where the JWT is looked for (unused without {@code jwt})
 * @param forwardedHeaders  headers forwarded to the backend; empty (and not all) sends no {@code headers}
 * @param forwardAllHeaders whether every header is forwarded
 * @param forwardCookies    whether all cookies are forwarded
 * @param downloadMatrix    what an answer without status means for downloads
 * @param delivery          how bytes leave
 * @param accelPrefix       internal location prefix for X-Accel-Redirect / X-Sendfile, ends with {@code /}
 * @param renderer          how streamed bytes are sent: {@code auto}, {@code stream}, {@code jetty}, {@code tomcat}
 * @param cacheControl      Cache-Control of granted answers
 * @param maxRanges         most ranges honoured in one request
 * @param clock             time source
 * @param media             cross-domain media mode (what the media host serves, how tokens are
 *                          checked); {@code null} for a hashed tree
 * @param uploads           uploads and deletes over HTTP (read-only by default, and always in media mode)
 * @param listener          told of every answer and backend round trip ({@link KeyholeListener#NONE} by default)
 * @param authCache         how long the backend's decisions are remembered ({@link AuthCache#OFF} by default)
 * @param activeContent     the {@code Content-Security-Policy} of served files and the disposition of active uploads
 * @param interop           session credentials, the auth filter, CORS and the upload answer ({@link Interop#DEFAULT})
 * @param signedIn          the caller as the application signed it in, replacing the JWT; {@code null} when
 *                          the credential is a JWT or there is none
 * @param storage           where the tree is kept: the local directory {@code fs-root} (default) or a bucket
 */
public record KeyholeConfig(HashedTree tree, String mount, Backend backend,
                            JwtSettings jwt, TokenSource tokenSource, List<String> forwardedHeaders,
                            boolean forwardAllHeaders, boolean forwardCookies, AuthMatrix downloadMatrix,
                            DeliveryMode delivery, String accelPrefix, String renderer,
                            String cacheControl, int maxRanges, Clock clock, MediaSettings media,
                            Uploads uploads, KeyholeListener listener, AuthCache authCache,
                            ActiveContent activeContent, Interop interop,
                            SignedInCaller signedIn, StorageSettings storage) {

    /** Headers the seed's extended JSON forwards. */
    public static final List<String> EXTENDED_HEADERS = List.of("Authorization", "If-None-Match", "If-Modified-Since");

    public KeyholeConfig {
        forwardedHeaders = List.copyOf(forwardedHeaders);
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(authCache, "authCache");
        Objects.requireNonNull(activeContent, "activeContent");
        Objects.requireNonNull(interop, "interop");
        Objects.requireNonNull(storage, "storage");
    }

    /**
     * What decides, for log lines: the backend, e.g. {@code json over unix:/run/auth.sock}, or on a
     * media host the signed URLs' keys. Never holds a secret.
     */
    public String describeBackend() {
        if (media == null) {
            return backend.toString();
        }
        return media.development() ? "the application (development mode)"
                : "signed URLs (keys " + String.join(", ", media.signer().keyIds()) + ")";
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a configuration from text keys (see the README's configuration reference).
     *
     * @throws IllegalArgumentException naming the first bad or unknown key
     */
    public static KeyholeConfig fromProperties(Map<String, String> properties) {
        return builder().properties(properties).build();
    }

    /**
     * Builds a {@link KeyholeConfig}. Each setting may be made once; a second call for the same
     * setting is an error, as is a value out of range.
     */
    public static final class Builder {

        /** Every text key {@link #properties(Map)} understands: those of {@link ConfigKey}. */
        public static final Set<String> KEYS = ConfigKey.names();

        private final ConfigDraft d = new ConfigDraft();

        private Builder() {
        }

        /**
         * Checks the settings together and builds the configuration.
         *
         * @throws IllegalArgumentException naming what is missing or inconsistent
         */
        public KeyholeConfig build() {
            return d.build();
        }

        /** Makes setting {@code key} once: a second time is an error, as is a value the setting refuses. */
        private Builder set(String key, Runnable apply) {
            once(key);
            apply.run();
            return this;
        }

        private void once(String key) {
            if (!d.made.add(key)) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }

        /** {@code fs-root}: the tree's root directory. Required. */
        public Builder fsRoot(Path root) {
            return set("fs-root", () -> d.fsRoot = Objects.requireNonNull(root, "fs-root"));
        }

        /** {@code fs-depth}: directory levels, 1..8, default 4. */
        public Builder fsDepth(int depth) {
            once("fs-depth");
            if (depth < 1 || depth > HashedTree.MAX_DEPTH) {
                throw new IllegalArgumentException("fs-depth must be 1.." + HashedTree.MAX_DEPTH + ", was " + depth);
            }
            d.fsDepth = depth;
            return this;
        }

        /** {@code mount}: URL prefix under which ids are served, default {@code /}. */
        public Builder mount(String prefix) {
            return set("mount", () -> d.mount = slashed("mount", prefix));
        }

        /**
         * An authoriser of your own (replaces {@code request-type}, {@code transport-type} and
         * {@code unix-socket}). It must be thread-safe and bound its own waiting.
         */
        public Builder authorizer(Authorizer authorizer) {
            return set("authorizer", () -> d.authorizer = Objects.requireNonNull(authorizer, "authorizer"));
        }

        /**
         * {@code request-type}: {@code json} (default), {@code sql}, {@code internal} (metadata beside
         * each file, no backend process) or {@code none} (no question; the matrices decide).
         */
        public Builder requestType(String type) {
            return set("request-type", () -> d.requestType = oneOf("request-type", type, "json", "sql", "internal", "none"));
        }

        /**
         * {@code transport-type}: {@code unix} (default for json), {@code tcp}, {@code http},
         * {@code redis}; {@code mysql} (default for sql) or {@code jdbc}.
         */
        public Builder transportType(String type) {
            return set("transport-type", () -> d.transportType = oneOf("transport-type", type, "unix", "tcp", "http",
                    "redis", "mysql", "jdbc"));
        }

        /** {@code unix-socket}: path of the backend's stream socket. */
        public Builder unixSocket(Path socket) {
            return set("unix-socket", () -> d.unixSocket = Objects.requireNonNull(socket, "unix-socket"));
        }

        /** {@code sql-dsn}: {@code host:port:user:password:database} (a socket path for the port with localhost) or a {@code jdbc:} URL. */
        public Builder sqlDsn(String dsn) {
            return set("sql-dsn", () -> d.sql.dsn(dsn));
        }

        /** {@code sql-password}: the database password, replacing the DSN's (text config: also {@code file:/path}, {@code env:NAME}). */
        public Builder sqlPassword(String password) {
            return set("sql-password", () -> d.sql.password(password));
        }

        /** Connections from your own (pooling) DataSource instead of {@code sql-dsn}; with {@code request-type=sql}. */
        public Builder sqlDataSource(DataSource dataSource) {
            return set("sql-data-source", () -> d.sql.dataSource(dataSource));
        }

        /** {@code sql-query}: placeholders {@code :file_id}, {@code :auth_value}, {@code :uri}, {@code :method} or the module's {@code %s}. */
        public Builder sqlQuery(String query) {
            return set("sql-query", () -> d.sql.query(query));
        }

        /** {@code sql-no-row}: what a query without a row answers, {@code 404} (default), {@code 403} or {@code empty}. */
        public Builder sqlNoRow(SqlAuthorizer.NoRow noRow) {
            return set("sql-no-row", () -> d.sql.noRow(noRow));
        }

        /** {@code sql-pool-size}: most database connections in use at once, 1..1000, default 10. */
        public Builder sqlPoolSize(int size) {
            return set("sql-pool-size", () -> d.sql.poolSize(size));
        }

        /** {@code sql-pool-wait}: how long a request may wait for a free connection, default {@code auth-connect-timeout}. */
        public Builder sqlPoolWait(Duration wait) {
            return set("sql-pool-wait", () -> d.sql.poolWait(wait));
        }

        /**
         * {@code sql-insert-query}: the statement that records an upload; placeholders as for
         * {@code sql-query} plus {@code :filename}, {@code :content_type}, {@code :content_disposition},
         * {@code :etag}, {@code :length}, {@code :upload_date}. Needs {@code read-only=no}.
         */
        public Builder sqlInsertQuery(String query) {
            return set("sql-insert-query", () -> d.sql.insertQuery(query));
        }

        /** {@code sql-delete-query}: the statement that forgets a deleted file. Needs {@code read-only=no}. */
        public Builder sqlDeleteQuery(String query) {
            return set("sql-delete-query", () -> d.sql.deleteQuery(query));
        }

        /** {@code tcp-host}: the backend's host for {@code transport-type=tcp}. */
        public Builder tcpHost(String host) {
            return set("tcp-host", () -> d.tcpHost = nonBlank("tcp-host", host));
        }

        /** {@code tcp-port}: the backend's port for {@code transport-type=tcp}, 1..65535. */
        public Builder tcpPort(int port) {
            once("tcp-port");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("tcp-port must be 1..65535, was " + port);
            }
            d.tcpPort = port;
            return this;
        }

        /** {@code http-url}: where {@code transport-type=http} POSTs the JSON question. */
        public Builder httpUrl(URI url) {
            return set("http-url", () -> d.httpUrl = Objects.requireNonNull(url, "http-url"));
        }

        /** {@code json-fields}: {@code seed} (default: {@code uri}, {@code jwt_value}) or {@code later}. */
        public Builder jsonFields(JsonRequestType.Fields fields) {
            return set("json-fields", () -> d.jsonFields = Objects.requireNonNull(fields, "json-fields"));
        }

        /** {@code jwt-key}: the HMAC secret. Setting it makes a valid JWT required. */
        public Builder jwtKey(byte[] key) {
            once("jwt-key");
            Objects.requireNonNull(key, "jwt-key");
            if (key.length == 0) {
                throw new IllegalArgumentException("jwt-key must not be empty");
            }
            d.jwtKey = key.clone();
            return this;
        }

        /**
         * {@code jwt-algorithm}: with {@code jwt-key} {@code HS256} (default), {@code HS384} or
         * {@code HS512}, which tokens must use; with public keys the algorithm of RSA keys that name
         * none (default RS256): {@code RS256}..{@code RS512}, {@code PS256}..{@code PS512}.
         */
        public Builder jwtAlgorithm(String algorithm) {
            return set("jwt-algorithm", () -> d.jwtAlgorithm = oneOf("jwt-algorithm", algorithm, "HS256", "HS384", "HS512",
                    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"));
        }

        /** {@code jwt-field}: the claim whose value is sent as the auth value. */
        public Builder jwtField(String claim) {
            return set("jwt-field", () -> d.jwtField = nonBlank("jwt-field", claim));
        }

        /** {@code jwt-leeway}: clock skew tolerated on {@code exp}/{@code nbf}, default 30 s, at most 10 min. */
        public Builder jwtLeeway(Duration leeway) {
            once("jwt-leeway");
            if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("jwt-leeway must be 0s..10m, was " + leeway);
            }
            d.jwtLeeway = leeway;
            return this;
        }

        /** {@code jwt-key-file}: public keys (PEM or a JWK set) that verify tokens, instead of {@code jwt-key}. */
        public Builder jwtKeyFile(Path file) {
            return set("jwt-key-file", () -> d.jwtTrust = d.jwtTrust.withKeyFile(file));
        }

        /** {@code jwt-jwks-url}: where the public keys that verify tokens are fetched, instead of {@code jwt-key}. */
        public Builder jwtJwksUrl(URI url) {
            return set("jwt-jwks-url", () -> d.jwtTrust = d.jwtTrust.withJwksUrl(url));
        }

        /** {@code jwt-audience}: the {@code aud} values accepted; a token must name one of them. */
        public Builder jwtAudience(List<String> audiences) {
            return set("jwt-audience", () -> d.jwtTrust = d.jwtTrust.withAudiences(audiences));
        }

        /** {@code jwt-issuer}: the {@code iss} every token must carry. */
        public Builder jwtIssuer(String issuer) {
            return set("jwt-issuer", () -> d.jwtTrust = d.jwtTrust.withIssuer(nonBlank("jwt-issuer", issuer)));
        }

        /** {@code jwt-max-lifetime}: the longest a token may be valid, from {@code iat} or from now. */
        public Builder jwtMaxLifetime(Duration max) {
            return set("jwt-max-lifetime", () -> d.jwtTrust = d.jwtTrust.withMaxLifetime(positive("jwt-max-lifetime", max)));
        }

        /** {@code jwt-header} / {@code jwt-cookie}: where the JWT is found (default: Authorization: Bearer). */
        public Builder tokenSource(TokenSource source) {
            return set("token-source", () -> d.tokenSource = Objects.requireNonNull(source, "token-source"));
        }

        /** {@code json-extended}: forward Authorization, If-None-Match, If-Modified-Since and all cookies. */
        public Builder jsonExtended(boolean extended) {
            return set("json-extended", () -> d.jsonExtended = extended);
        }

        /** {@code json-extra-headers}: further headers to forward (implies extended JSON). */
        public Builder jsonExtraHeaders(List<String> names) {
            once("json-extra-headers");
            List<String> copy = new ArrayList<>();
            for (String name : names) {
                copy.add(token("json-extra-headers", name));
            }
            d.extraHeaders = List.copyOf(copy);
            return this;
        }

        /** {@code all-headers}: forward every request header to the backend. */
        public Builder allHeaders(boolean all) {
            return set("all-headers", () -> d.allHeaders = all);
        }

        /** {@code all-cookies}: forward every cookie to the backend. */
        public Builder allCookies(boolean all) {
            return set("all-cookies", () -> d.allCookies = all);
        }

        /**
         * {@code matrix-download}: what an answer without status means for downloads, default
         * {@code allow:deny:deny:deny} (see {@link AuthMatrix}).
         */
        public Builder downloadMatrix(AuthMatrix matrix) {
            return set("matrix-download", () -> d.downloadMatrix = Objects.requireNonNull(matrix, "matrix-download"));
        }

        /** {@code read-only}: refuse uploads and deletes with 405 (default {@code true}). */
        public Builder readOnly(boolean readOnly) {
            return set("read-only", () -> d.readOnly = readOnly);
        }

        /** {@code upload-max-size}: the largest file an upload may carry, in bytes, default 100 MiB. */
        public Builder uploadMaxSize(long bytes) {
            once("upload-max-size");
            if (bytes < 1) {
                throw new IllegalArgumentException("upload-max-size must be at least 1 byte, was " + bytes);
            }
            d.uploadMaxSize = bytes;
            return this;
        }

        /** {@code matrix-upload}: what an answer without status means for uploads, default {@code allow:allow:deny:deny}. */
        public Builder uploadMatrix(AuthMatrix matrix) {
            return set("matrix-upload", () -> d.uploadMatrix = Objects.requireNonNull(matrix, "matrix-upload"));
        }

        /** {@code matrix-delete}: what an answer without status means for deletes, default {@code allow:deny:deny:deny}. */
        public Builder deleteMatrix(AuthMatrix matrix) {
            return set("matrix-delete", () -> d.deleteMatrix = Objects.requireNonNull(matrix, "matrix-delete"));
        }

        /**
         * {@code instance-id}: this instance's name, part of every uploaded file's id (default:
         * the process id and start time). Give each machine writing to a shared tree its own.
         */
        public Builder instanceId(String instance) {
            once("instance-id");
            String id = nonBlank("instance-id", instance);
            if (id.length() > 255 || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("instance-id must be at most 255 characters without control"
                        + " characters, e.g. a host name; was " + id.length() + " characters");
            }
            d.instanceId = id;
            return this;
        }

        /** {@code delivery}: {@code stream} (default), {@code x-accel-redirect} or {@code x-sendfile}. */
        public Builder delivery(DeliveryMode mode) {
            return set("delivery", () -> d.delivery = Objects.requireNonNull(mode, "delivery"));
        }

        /** {@code accel-prefix}: the front server's internal location, e.g. {@code /protected/}. */
        public Builder accelPrefix(String prefix) {
            return set("accel-prefix", () -> d.accelPrefix = slashed("accel-prefix", prefix));
        }

        /**
         * {@code renderer}: how the servlet filter sends the bytes with {@code delivery=stream}:
         * {@code auto} (default: the container's zero-copy path when its adapter is on the class
         * path), {@code stream} (the servlet output stream), or an adapter's name, {@code jetty}
         * or {@code tomcat}, to insist on it.
         */
        public Builder renderer(String name) {
            once("renderer");
            String n = nonBlank("renderer", name).toLowerCase(Locale.ROOT);
            if (!n.matches("[a-z][a-z0-9-]{0,31}")) {
                throw new IllegalArgumentException("renderer must be auto, stream, jetty or tomcat; was '" + name + "'");
            }
            d.renderer = n;
            return this;
        }

        /** {@code auth-connect-timeout}: default 1 s. */
        public Builder authConnectTimeout(Duration timeout) {
            return set("auth-connect-timeout", () -> d.authConnectTimeout = positive("auth-connect-timeout", timeout));
        }

        /** {@code auth-timeout}: how long the backend may take to answer, default 5 s. */
        public Builder authTimeout(Duration timeout) {
            return set("auth-timeout", () -> d.authTimeout = positive("auth-timeout", timeout));
        }

        /**
         * {@code auth-keep-alive}: how many idle connections to the backend to keep open between
         * questions, 0..4096; default 0, a connection per question as the nginx module makes. For
         * {@code transport-type=unix} or {@code tcp}; the backend must speak the one-line framing
         * of {@link io.keyhole.authorizer.KeepAlive}.
         */
        public Builder authKeepAlive(int idleConnections) {
            once("auth-keep-alive");
            d.authKeepAlive = new KeepAlive(idleConnections, KeepAlive.DEFAULT_IDLE_TIMEOUT).idleConnections();
            return this;
        }

        /** {@code auth-keep-alive-timeout}: how long an unused kept connection is kept, default 60 s. */
        public Builder authKeepAliveTimeout(Duration timeout) {
            return set("auth-keep-alive-timeout", () -> d.authKeepAliveTimeout =
                    positive("auth-keep-alive-timeout", timeout));
        }

        /** {@code cache-control}: Cache-Control of granted answers, default {@code private}. */
        public Builder cacheControl(String value) {
            return set("cache-control", () -> d.cacheControl = headerValue("cache-control", value));
        }

        /** {@code max-ranges}: most ranges honoured per request, 1..1000, default 16. */
        public Builder maxRanges(int max) {
            once("max-ranges");
            if (max < 1 || max > 1000) {
                throw new IllegalArgumentException("max-ranges must be 1..1000, was " + max);
            }
            d.maxRanges = max;
            return this;
        }

        /** The clock for token expiry. */
        public Builder clock(Clock clock) {
            return set("clock", () -> d.clock = Objects.requireNonNull(clock, "clock"));
        }

        /** Who is told of every answer and backend round trip: metrics, an audit log. Code only. */
        public Builder listener(KeyholeListener listener) {
            return set("listener", () -> d.listener = Objects.requireNonNull(listener, "listener"));
        }

        /**
         * {@code audit}: whether every answered request is written as one JSON line to the logger
         * {@value io.keyhole.observe.AuditLog#LOGGER_NAME} at {@code INFO} (off by default).
         */
        public Builder audit(boolean on) {
            return set("audit", () -> d.audit = on);
        }

        /** {@code credential}: {@code jwt} (default, with {@code jwt-key}) or {@code session}: the raw value, unverified. */
        public Builder credential(String kind) {
            return set("credential", () -> d.interop.session = oneOf("credential", kind, "jwt", "session").equals("session"));
        }

        /** {@code auth-filter}: which part of the credential value becomes the auth value. */
        public Builder authFilter(io.keyhole.credential.AuthFilter filter) {
            return set("auth-filter", () -> d.interop.authFilter = Objects.requireNonNull(filter, "auth-filter"));
        }

        /** {@code cors-origins}: origins whose scripts may read answers ({@code *} for all); default none. */
        public Builder corsOrigins(List<String> origins) {
            return set("cors-origins", () -> d.interop.corsOrigins = new Cors(origins, false).origins());
        }

        /** {@code cors-credentials}: let allowed origins send cookies and HTTP authentication (default no). */
        public Builder corsCredentials(boolean credentials) {
            return set("cors-credentials", () -> d.interop.corsCredentials = credentials);
        }

        /** {@code upload-answer}: {@code json} (default: 201, JSON, Location) or {@code module} (200, the id as text). */
        public Builder uploadAnswer(String answer) {
            return set("upload-answer", () -> d.interop.moduleUploadAnswer =
                    oneOf("upload-answer", answer, "json", "module").equals("module"));
        }

        /** {@code internal-cache-size}: bytes of {@code .meta} contents kept in memory with request-type=internal; default 0, none. */
        public Builder internalCacheSize(long bytes) {
            once("internal-cache-size");
            if (bytes < 0) {
                throw new IllegalArgumentException("internal-cache-size must be 0 or more bytes, was " + bytes);
            }
            d.interop.internalCacheSize = bytes;
            return this;
        }

        /** {@code redis-host}: where Redis listens for {@code transport-type=redis}, default 127.0.0.1. */
        public Builder redisHost(String host) {
            return set("redis-host", () -> d.interop.redisHost = nonBlank("redis-host", host));
        }

        /** {@code redis-port}: default 6379. */
        public Builder redisPort(int port) {
            once("redis-port");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("redis-port must be 1..65535, was " + port);
            }
            d.interop.redisPort = port;
            return this;
        }

        /** {@code redis-password}: sent with {@code AUTH} before each command. */
        public Builder redisPassword(String password) {
            return set("redis-password", () -> d.interop.redisPassword = Objects.requireNonNull(password, "redis-password"));
        }

        /**
         * {@code auth-cache-ttl}: how long a grant is remembered, default 0 (none; every request
         * asks the backend). See {@link AuthCache}.
         */
        public Builder authCacheTtl(Duration ttl) {
            return set("auth-cache-ttl", () -> d.authCacheTtl = notNegative("auth-cache-ttl", ttl));
        }

        /** {@code auth-cache-negative-ttl}: how long a 403 or 404 is remembered, default 0 (none). */
        public Builder authCacheNegativeTtl(Duration ttl) {
            return set("auth-cache-negative-ttl", () -> d.authCacheNegativeTtl = notNegative("auth-cache-negative-ttl", ttl));
        }

        /** {@code auth-cache-size}: most decisions remembered at once, 1..10,000,000, default 10,000. */
        public Builder authCacheSize(int size) {
            once("auth-cache-size");
            if (size < 1 || size > AuthCache.MAX_SIZE) {
                throw new IllegalArgumentException("auth-cache-size must be 1.." + AuthCache.MAX_SIZE + ", was " + size);
            }
            d.authCacheSize = size;
            return this;
        }

        /**
         * {@code content-security-policy}: the policy sent with every served file (PDF files
         * excepted), default {@code sandbox}; {@code null} (text: {@code none}) sends none.
         */
        public Builder contentSecurityPolicy(String policy) {
            return set("content-security-policy", () -> d.activeContent = new ActiveContent(policy,
                    d.activeContent.inlineActiveUploads()));
        }

        /**
         * {@code active-uploads}: whether uploads of active types (HTML, SVG, XML, JavaScript…) keep
         * the disposition they asked for ({@code true}, text {@code as-sent}) or are stored as
         * attachments ({@code false}, text {@code attachment}, the default).
         */
        public Builder inlineActiveUploads(boolean inline) {
            return set("active-uploads", () -> d.activeContent = new ActiveContent(
                    d.activeContent.contentSecurityPolicy(), inline));
        }

        /**
         * The caller as the application has already signed it in (e.g. Spring Security's current
         * authentication), asked on every request instead of a JWT; excludes {@code jwt-key}.
         * Code only.
         */
        public Builder signedInCaller(SignedInCaller caller) {
            return set("signed-in-caller", () -> d.signedIn = Objects.requireNonNull(caller, "signed-in-caller"));
        }

        /** Where the tree is kept, given in code: replaces {@code storage} and the keys that go with it. */
        public Builder storage(StorageSettings settings) {
            return set("storage-settings", () -> d.storageGiven = Objects.requireNonNull(settings, "storage"));
        }

        /** {@code storage}: {@code local} (default) or the name of a storage on the class path, e.g. {@code s3}. */
        public Builder storage(String kind) {
            return set("storage", () -> d.storage.kind(kind));
        }

        /** {@code storage-timeout}: the most one request to a bucket may take, default 5 s. */
        public Builder storageTimeout(Duration timeout) {
            return set("storage-timeout", () -> d.storage.timeout(timeout));
        }

        /** {@code presign-ttl}: how long the URL of {@code delivery=redirect} stays valid, default 60 s. */
        public Builder presignTtl(Duration ttl) {
            return set("presign-ttl", () -> d.storage.presignTtl(ttl));
        }

        /**
         * {@code open-cache-valid}: how long the local tree keeps a file it opened and checked (a
         * bucket: an object of up to 256 KiB it read whole, in memory), and hands it to later requests
         * for it without looking at the storage again; zero (default) keeps none.
         */
        public Builder openCacheValid(Duration valid) {
            return set("open-cache-valid", () -> d.storage.openCacheValid(valid));
        }

        /** {@code open-cache-size}: most files kept at once, default 1000. */
        public Builder openCacheSize(int size) {
            return set("open-cache-size", () -> d.storage.openCacheSize(size));
        }

        /** A remote storage's own key, e.g. {@code s3-bucket}; checked by the storage when it starts. */
        public Builder storageOption(String key, String value) {
            return set(key, () -> d.storage.option(key, value));
        }

        /**
         * Cross-domain media mode: serve {@code media-root} to URLs signed by the application,
         * and send browsers without a valid token to the application for one. Replaces the
         * hashed tree, the backend and the JWT settings. Text: the keys of
         * {@link MediaSettings.Builder#KEYS}.
         */
        public Builder media(MediaSettings settings) {
            return set("media", () -> d.media = Objects.requireNonNull(settings, "media"));
        }

        /**
         * Applies text settings. Unknown keys are rejected (a typo must not silently disable a
         * check); blank values count as unset.
         */
        public Builder properties(Map<String, String> properties) {
            Map<String, String> p = Settings.known(properties, KEYS, "configuration key");
            for (ConfigKey key : ConfigKey.values()) {
                String v = p.get(key.key());
                if (v != null) {
                    key.apply(this, v, p.keySet());
                }
            }
            return this;
        }

        /** A media key's text, read by {@link MediaSettings} when the configuration is built. */
        void mediaText(String key, String value) {
            if (d.mediaText.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }
    }
}
