package io.keyhole;

import static io.keyhole.ConfigDraft.headerValue;
import static io.keyhole.ConfigDraft.nonBlank;
import static io.keyhole.ConfigDraft.oneOf;
import static io.keyhole.ConfigDraft.positive;
import static io.keyhole.ConfigDraft.slashed;
import static io.keyhole.ConfigDraft.token;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.authorizer.Backend;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.credential.JwtSettings;
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
 * @param storage           where the tree is kept: the local directory {@code fs-root} (default) or a bucket
 */
public record KeyholeConfig(HashedTree tree, String mount, Backend backend,
                            JwtSettings jwt, TokenSource tokenSource, List<String> forwardedHeaders,
                            boolean forwardAllHeaders, boolean forwardCookies, AuthMatrix downloadMatrix,
                            DeliveryMode delivery, String accelPrefix, String renderer,
                            String cacheControl, int maxRanges, Clock clock, MediaSettings media,
                            Uploads uploads, KeyholeListener listener, StorageSettings storage) {

    /** Headers the seed's extended JSON forwards. */
    public static final List<String> EXTENDED_HEADERS = List.of("Authorization", "If-None-Match", "If-Modified-Since");

    public KeyholeConfig {
        forwardedHeaders = List.copyOf(forwardedHeaders);
        Objects.requireNonNull(listener, "listener");
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

        /** {@code request-type}: {@code json} (default) or {@code sql}. */
        public Builder requestType(String type) {
            return set("request-type", () -> d.requestType = oneOf("request-type", type, "json", "sql"));
        }

        /** {@code transport-type}: {@code unix} (default for json), {@code mysql} (default for sql) or {@code jdbc}. */
        public Builder transportType(String type) {
            return set("transport-type", () -> d.transportType = oneOf("transport-type", type, "unix", "tcp", "http", "mysql", "jdbc"));
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

        /** {@code jwt-algorithm}: {@code HS256} (default), {@code HS384} or {@code HS512}; tokens must use it. */
        public Builder jwtAlgorithm(String algorithm) {
            return set("jwt-algorithm", () -> d.jwtAlgorithm = oneOf("jwt-algorithm", algorithm, "HS256", "HS384", "HS512"));
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
