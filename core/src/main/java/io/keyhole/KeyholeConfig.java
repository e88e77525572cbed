package io.keyhole;
import io.keyhole.tree.HashedTree;
import io.keyhole.authorizer.AuthMatrix;

import io.keyhole.authorizer.Authorizers;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.credential.JwtVerifier;
import io.keyhole.credential.TokenSource;
import io.keyhole.authorizer.HttpTransport;
import io.keyhole.authorizer.TcpTransport;
import io.keyhole.authorizer.Transport;
import io.keyhole.authorizer.UnixSocketTransport;
import io.keyhole.internal.Settings;
import io.keyhole.media.MediaSettings;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.FileStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Everything Keyhole needs to serve one mount. Immutable; built by {@link Builder}, from Java
 * code or from text ({@link #fromProperties(Map)}: servlet init-params, a {@code .properties}
 * file). Bad values are rejected with a message naming the key and what it accepts.
 *
 * @param tree               where the files live
 * @param mount              URL prefix (relative to the context) under which ids are served, ends with {@code /}
 * @param authorizer         who decides
 * @param backend            a description of the authoriser for logs, e.g. {@code json over unix:/run/a.sock}
 * @param jwt                the JWT verifier, or {@code null} when requests carry no JWT
 * @param tokenSource        where the JWT is looked for (unused without {@code jwt})
 * @param forwardedHeaders   names of headers forwarded to the backend; empty (and not {@code forwardAllHeaders})
 *                           means no {@code headers} field is sent
 * @param forwardAllHeaders  whether every header is forwarded
 * @param forwardCookies     whether all cookies are forwarded
 * @param downloadMatrix     what an answer without status means for downloads
 * @param delivery           how bytes leave
 * @param accelPrefix        internal location prefix for X-Accel-Redirect / X-Sendfile, ends with {@code /}
 * @param renderer           how a servlet container sends streamed bytes: {@code auto}, {@code stream} or an
 *                           adapter's name ({@code jetty}, {@code tomcat})
 * @param cacheControl       Cache-Control of granted answers
 * @param maxRanges          most ranges honoured in one request
 * @param clock              time source
 * @param media              cross-domain media mode: what the media host serves and how it checks
 *                           tokens; {@code null} for a hashed tree (then {@code tree} and
 *                           {@code authorizer} are set, and they are {@code null} in media mode)
 * @param uploads            uploads and deletes over HTTP (read-only by default, and always in media mode)
 */
public record KeyholeConfig(HashedTree tree, String mount, Authorizer authorizer, String backend,
                            JwtVerifier jwt, TokenSource tokenSource, List<String> forwardedHeaders,
                            boolean forwardAllHeaders, boolean forwardCookies, AuthMatrix downloadMatrix,
                            DeliveryMode delivery, String accelPrefix, String renderer,
                            String cacheControl, int maxRanges, Clock clock, MediaSettings media,
                            Uploads uploads) {

    /** Headers the seed's extended JSON forwards. */
    public static final List<String> EXTENDED_HEADERS = List.of("Authorization", "If-None-Match", "If-Modified-Since");

    public KeyholeConfig {
        forwardedHeaders = List.copyOf(forwardedHeaders);
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

        /** Keys that choose the backend; none may be set when an {@link Authorizer} is given in code. */
        private static final Set<String> TRANSPORT_KEYS = Set.of("request-type", "transport-type", "unix-socket",
                "tcp-host", "tcp-port", "http-url", "sql-dsn", "sql-password", "sql-query", "sql-no-row",
                "sql-pool-size", "sql-pool-wait", "sql-data-source", "sql-insert-query", "sql-delete-query");

        /** Every text key {@link #properties(Map)} understands: those of {@link ConfigKey}. */
        public static final Set<String> KEYS = ConfigKey.names();

        private final Set<String> made = new HashSet<>();
        private Path fsRoot;
        private int fsDepth = 4;
        private String mount = "/";
        private Authorizer authorizer;
        private String requestType = "json";
        private String transportType = "unix";
        private Path unixSocket;
        private String tcpHost;
        private int tcpPort;
        private URI httpUrl;
        private final SqlAuthorizer.Builder sql = SqlAuthorizer.builder();
        private boolean readOnly = true;
        private long uploadMaxSize = Uploads.DEFAULT_MAX_SIZE;
        private AuthMatrix uploadMatrix = AuthMatrix.UPLOAD_DEFAULT;
        private AuthMatrix deleteMatrix = AuthMatrix.DELETE_DEFAULT;
        private String instanceId;
        private JsonRequestType.Fields jsonFields = JsonRequestType.Fields.SEED;
        private byte[] jwtKey;
        private String jwtAlgorithm = "HS256";
        private String jwtField;
        private Duration jwtLeeway = Duration.ofSeconds(30);
        private TokenSource tokenSource = TokenSource.bearer();
        private boolean jsonExtended;
        private List<String> extraHeaders = List.of();
        private boolean allHeaders;
        private boolean allCookies;
        private AuthMatrix downloadMatrix = AuthMatrix.DOWNLOAD_DEFAULT;
        private DeliveryMode delivery = DeliveryMode.STREAM;
        private String accelPrefix;
        private String renderer = "auto";
        private Duration authConnectTimeout = Duration.ofSeconds(1);
        private Duration authTimeout = Duration.ofSeconds(5);
        private String cacheControl = "private";
        private int maxRanges = 16;
        private Clock clock = Clock.systemUTC();
        private MediaSettings media;
        private final Map<String, String> mediaText = new LinkedHashMap<>();

        private Builder() {
        }

        private void once(String key) {
            if (!made.add(key)) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }

        /** {@code fs-root}: the tree's root directory. Required. */
        public Builder fsRoot(Path root) {
            once("fs-root");
            this.fsRoot = Objects.requireNonNull(root, "fs-root");
            return this;
        }

        /** {@code fs-depth}: directory levels, 1..8, default 4. */
        public Builder fsDepth(int depth) {
            once("fs-depth");
            if (depth < 1 || depth > HashedTree.MAX_DEPTH) {
                throw new IllegalArgumentException("fs-depth must be 1.." + HashedTree.MAX_DEPTH + ", was " + depth);
            }
            this.fsDepth = depth;
            return this;
        }

        /** {@code mount}: URL prefix under which ids are served, default {@code /}. */
        public Builder mount(String prefix) {
            once("mount");
            this.mount = slashed("mount", prefix);
            return this;
        }

        /**
         * An authoriser of your own (replaces {@code request-type}, {@code transport-type} and
         * {@code unix-socket}). It must be thread-safe and bound its own waiting.
         */
        public Builder authorizer(Authorizer authorizer) {
            once("authorizer");
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        /** {@code request-type}: {@code json} (default) or {@code sql}. */
        public Builder requestType(String type) {
            once("request-type");
            this.requestType = oneOf("request-type", type, "json", "sql");
            return this;
        }

        /** {@code transport-type}: {@code unix} (default for json), {@code mysql} (default for sql) or {@code jdbc}. */
        public Builder transportType(String type) {
            once("transport-type");
            this.transportType = oneOf("transport-type", type, "unix", "tcp", "http", "mysql", "jdbc");
            return this;
        }

        /** {@code unix-socket}: path of the backend's stream socket. */
        public Builder unixSocket(Path socket) {
            once("unix-socket");
            this.unixSocket = Objects.requireNonNull(socket, "unix-socket");
            return this;
        }

        /** {@code sql-dsn}: {@code host:port:user:password:database} (a socket path for the port with localhost) or a {@code jdbc:} URL. */
        public Builder sqlDsn(String dsn) {
            once("sql-dsn");
            sql.dsn(dsn);
            return this;
        }

        /** {@code sql-password}: the database password, replacing the DSN's (text config: also {@code file:/path}, {@code env:NAME}). */
        public Builder sqlPassword(String password) {
            once("sql-password");
            sql.password(password);
            return this;
        }

        /** Connections from your own (pooling) DataSource instead of {@code sql-dsn}; with {@code request-type=sql}. */
        public Builder sqlDataSource(DataSource dataSource) {
            once("sql-data-source");
            sql.dataSource(dataSource);
            return this;
        }

        /** {@code sql-query}: placeholders {@code :file_id}, {@code :auth_value}, {@code :uri}, {@code :method} or the module's {@code %s}. */
        public Builder sqlQuery(String query) {
            once("sql-query");
            sql.query(query);
            return this;
        }

        /** {@code sql-no-row}: what a query without a row answers, {@code 404} (default), {@code 403} or {@code empty}. */
        public Builder sqlNoRow(SqlAuthorizer.NoRow noRow) {
            once("sql-no-row");
            sql.noRow(noRow);
            return this;
        }

        /** {@code sql-pool-size}: most database connections in use at once, 1..1000, default 10. */
        public Builder sqlPoolSize(int size) {
            once("sql-pool-size");
            sql.poolSize(size);
            return this;
        }

        /** {@code sql-pool-wait}: how long a request may wait for a free connection, default {@code auth-connect-timeout}. */
        public Builder sqlPoolWait(Duration wait) {
            once("sql-pool-wait");
            sql.poolWait(wait);
            return this;
        }

        /**
         * {@code sql-insert-query}: the statement that records an upload; placeholders as for
         * {@code sql-query} plus {@code :filename}, {@code :content_type}, {@code :content_disposition},
         * {@code :etag}, {@code :length}, {@code :upload_date}. Needs {@code read-only=no}.
         */
        public Builder sqlInsertQuery(String query) {
            once("sql-insert-query");
            sql.insertQuery(query);
            return this;
        }

        /** {@code sql-delete-query}: the statement that forgets a deleted file. Needs {@code read-only=no}. */
        public Builder sqlDeleteQuery(String query) {
            once("sql-delete-query");
            sql.deleteQuery(query);
            return this;
        }

        /** {@code tcp-host}: the backend's host for {@code transport-type=tcp}. */
        public Builder tcpHost(String host) {
            once("tcp-host");
            this.tcpHost = nonBlank("tcp-host", host);
            return this;
        }

        /** {@code tcp-port}: the backend's port for {@code transport-type=tcp}, 1..65535. */
        public Builder tcpPort(int port) {
            once("tcp-port");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("tcp-port must be 1..65535, was " + port);
            }
            this.tcpPort = port;
            return this;
        }

        /** {@code http-url}: where {@code transport-type=http} POSTs the JSON question. */
        public Builder httpUrl(URI url) {
            once("http-url");
            this.httpUrl = Objects.requireNonNull(url, "http-url");
            return this;
        }

        /** {@code json-fields}: {@code seed} (default: {@code uri}, {@code jwt_value}) or {@code later}. */
        public Builder jsonFields(JsonRequestType.Fields fields) {
            once("json-fields");
            this.jsonFields = Objects.requireNonNull(fields, "json-fields");
            return this;
        }

        /** {@code jwt-key}: the HMAC secret. Setting it makes a valid JWT required. */
        public Builder jwtKey(byte[] key) {
            once("jwt-key");
            Objects.requireNonNull(key, "jwt-key");
            if (key.length == 0) {
                throw new IllegalArgumentException("jwt-key must not be empty");
            }
            this.jwtKey = key.clone();
            return this;
        }

        /** {@code jwt-algorithm}: {@code HS256} (default), {@code HS384} or {@code HS512}; tokens must use it. */
        public Builder jwtAlgorithm(String algorithm) {
            once("jwt-algorithm");
            this.jwtAlgorithm = oneOf("jwt-algorithm", algorithm, "HS256", "HS384", "HS512");
            return this;
        }

        /** {@code jwt-field}: the claim whose value is sent as the auth value. */
        public Builder jwtField(String claim) {
            once("jwt-field");
            this.jwtField = nonBlank("jwt-field", claim);
            return this;
        }

        /** {@code jwt-leeway}: clock skew tolerated on {@code exp}/{@code nbf}, default 30 s, at most 10 min. */
        public Builder jwtLeeway(Duration leeway) {
            once("jwt-leeway");
            if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("jwt-leeway must be 0s..10m, was " + leeway);
            }
            this.jwtLeeway = leeway;
            return this;
        }

        /** {@code jwt-header} / {@code jwt-cookie}: where the JWT is found (default: Authorization: Bearer). */
        public Builder tokenSource(TokenSource source) {
            once("token-source");
            this.tokenSource = Objects.requireNonNull(source, "token-source");
            return this;
        }

        /** {@code json-extended}: forward Authorization, If-None-Match, If-Modified-Since and all cookies. */
        public Builder jsonExtended(boolean extended) {
            once("json-extended");
            this.jsonExtended = extended;
            return this;
        }

        /** {@code json-extra-headers}: further headers to forward (implies extended JSON). */
        public Builder jsonExtraHeaders(List<String> names) {
            once("json-extra-headers");
            List<String> copy = new ArrayList<>();
            for (String name : names) {
                copy.add(token("json-extra-headers", name));
            }
            this.extraHeaders = List.copyOf(copy);
            return this;
        }

        /** {@code all-headers}: forward every request header to the backend. */
        public Builder allHeaders(boolean all) {
            once("all-headers");
            this.allHeaders = all;
            return this;
        }

        /** {@code all-cookies}: forward every cookie to the backend. */
        public Builder allCookies(boolean all) {
            once("all-cookies");
            this.allCookies = all;
            return this;
        }

        /**
         * {@code matrix-download}: what an answer without status means for downloads, default
         * {@code allow:deny:deny:deny} (see {@link AuthMatrix}).
         */
        public Builder downloadMatrix(AuthMatrix matrix) {
            once("matrix-download");
            this.downloadMatrix = Objects.requireNonNull(matrix, "matrix-download");
            return this;
        }

        /** {@code read-only}: refuse uploads and deletes with 405 (default {@code true}). */
        public Builder readOnly(boolean readOnly) {
            once("read-only");
            this.readOnly = readOnly;
            return this;
        }

        /** {@code upload-max-size}: the largest file an upload may carry, in bytes, default 100 MiB. */
        public Builder uploadMaxSize(long bytes) {
            once("upload-max-size");
            if (bytes < 1) {
                throw new IllegalArgumentException("upload-max-size must be at least 1 byte, was " + bytes);
            }
            this.uploadMaxSize = bytes;
            return this;
        }

        /** {@code matrix-upload}: what an answer without status means for uploads, default {@code allow:allow:deny:deny}. */
        public Builder uploadMatrix(AuthMatrix matrix) {
            once("matrix-upload");
            this.uploadMatrix = Objects.requireNonNull(matrix, "matrix-upload");
            return this;
        }

        /** {@code matrix-delete}: what an answer without status means for deletes, default {@code allow:deny:deny:deny}. */
        public Builder deleteMatrix(AuthMatrix matrix) {
            once("matrix-delete");
            this.deleteMatrix = Objects.requireNonNull(matrix, "matrix-delete");
            return this;
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
            this.instanceId = id;
            return this;
        }

        /** {@code delivery}: {@code stream} (default), {@code x-accel-redirect} or {@code x-sendfile}. */
        public Builder delivery(DeliveryMode mode) {
            once("delivery");
            this.delivery = Objects.requireNonNull(mode, "delivery");
            return this;
        }

        /** {@code accel-prefix}: the front server's internal location, e.g. {@code /protected/}. */
        public Builder accelPrefix(String prefix) {
            once("accel-prefix");
            this.accelPrefix = slashed("accel-prefix", prefix);
            return this;
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
            this.renderer = n;
            return this;
        }

        /** {@code auth-connect-timeout}: default 1 s. */
        public Builder authConnectTimeout(Duration timeout) {
            once("auth-connect-timeout");
            this.authConnectTimeout = positive("auth-connect-timeout", timeout);
            return this;
        }

        /** {@code auth-timeout}: how long the backend may take to answer, default 5 s. */
        public Builder authTimeout(Duration timeout) {
            once("auth-timeout");
            this.authTimeout = positive("auth-timeout", timeout);
            return this;
        }

        /** {@code cache-control}: Cache-Control of granted answers, default {@code private}. */
        public Builder cacheControl(String value) {
            once("cache-control");
            this.cacheControl = headerValue("cache-control", value);
            return this;
        }

        /** {@code max-ranges}: most ranges honoured per request, 1..1000, default 16. */
        public Builder maxRanges(int max) {
            once("max-ranges");
            if (max < 1 || max > 1000) {
                throw new IllegalArgumentException("max-ranges must be 1..1000, was " + max);
            }
            this.maxRanges = max;
            return this;
        }

        /** The clock for token expiry. */
        public Builder clock(Clock clock) {
            once("clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Cross-domain media mode: serve {@code media-root} to URLs signed by the application,
         * and send browsers without a valid token to the application for one. Replaces the
         * hashed tree, the backend and the JWT settings. Text: the keys of
         * {@link MediaSettings.Builder#KEYS}.
         */
        public Builder media(MediaSettings settings) {
            once("media");
            this.media = Objects.requireNonNull(settings, "media");
            return this;
        }

        /**
         * Applies text settings, key by key in the order of {@link ConfigKey}. Unknown keys are
         * rejected (a typo must not silently disable a check); blank values count as unset.
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
            if (mediaText.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }

        /**
         * Checks the settings together and builds the configuration.
         *
         * @throws IllegalArgumentException naming what is missing or inconsistent
         */
        public KeyholeConfig build() {
            if (media != null || !mediaText.isEmpty()) {
                return buildMedia();
            }
            if (fsRoot == null) {
                throw new IllegalArgumentException("fs-root is required: the directory that holds the hashed tree");
            }
            Authorizer auth = authorizer;
            String backend;
            if (auth != null) {
                List<String> transportKeys = made.stream().filter(TRANSPORT_KEYS::contains).sorted().toList();
                if (!transportKeys.isEmpty()) {
                    throw new IllegalArgumentException("an authorizer was given in code; drop " + transportKeys);
                }
                backend = auth.toString();
            } else if (requestType.equals("sql")) {
                for (String key : List.of("unix-socket", "tcp-host", "tcp-port", "http-url")) {
                    if (made.contains(key)) {
                        throw new IllegalArgumentException(key + " is for request-type=json; request-type=sql reads sql-dsn");
                    }
                }
                auth = sql.transport(made.contains("transport-type") ? transportType : "mysql")
                        .connectTimeout(authConnectTimeout).queryTimeout(authTimeout).build();
                backend = auth.toString();
            } else {
                if (made.stream().anyMatch(k -> k.startsWith("sql-")) || transportType.equals("mysql")
                        || transportType.equals("jdbc")) {
                    throw new IllegalArgumentException("transport-type=mysql|jdbc and the sql-* settings need request-type=sql");
                }
                Transport transport = jsonTransport();
                auth = Authorizers.of(new JsonRequestType(jsonFields), transport);
                backend = requestType + " over " + transport.describe();
            }
            JwtVerifier verifier = null;
            if (jwtKey != null) {
                verifier = new JwtVerifier(jwtKey, jwtAlgorithm, jwtField, jwtLeeway, clock);
            } else if (jwtField != null || made.contains("token-source") || made.contains("jwt-algorithm")) {
                throw new IllegalArgumentException("jwt-field, jwt-header, jwt-cookie and jwt-algorithm need jwt-key");
            }
            if (delivery.offloaded() && accelPrefix == null) {
                throw new IllegalArgumentException("delivery=" + delivery.key()
                        + " needs accel-prefix: the front server's internal location, e.g. /protected/");
            }
            if (delivery.offloaded() && !renderer.equals("auto")) {
                throw new IllegalArgumentException("renderer=" + renderer + " needs delivery=stream; with delivery="
                        + delivery.key() + " the front server sends the bytes");
            }
            List<String> forwarded = new ArrayList<>();
            if (jsonExtended) {
                forwarded.addAll(EXTENDED_HEADERS);
            }
            for (String h : extraHeaders) {
                if (forwarded.stream().noneMatch(h::equalsIgnoreCase)) {
                    forwarded.add(h);
                }
            }
            return new KeyholeConfig(new HashedTree(fsRoot, fsDepth), mount, auth, backend, verifier, tokenSource,
                    forwarded, allHeaders, jsonExtended || allCookies, downloadMatrix, delivery, accelPrefix, renderer,
                    cacheControl, maxRanges, clock, null, uploads());
        }

        /** Media mode: no tree, no backend, no JWT; the media settings say what is served and to whom. */
        private KeyholeConfig buildMedia() {
            Set<String> fitting = Set.of("media", "mount", "delivery", "accel-prefix", "renderer", "cache-control",
                    "max-ranges", "clock");
            List<String> misplaced = made.stream().filter(k -> !fitting.contains(k)).sorted().toList();
            if (!misplaced.isEmpty()) {
                throw new IllegalArgumentException("media mode (media-url) serves media-root to signed URLs and asks no"
                        + " backend; drop " + String.join(", ", misplaced));
            }
            MediaSettings m = media;
            if (m == null) {
                m = MediaSettings.builder().clock(clock).properties(mediaText).build();
            } else if (!mediaText.isEmpty()) {
                throw new IllegalArgumentException("media settings were given in code; drop " + mediaText.keySet());
            } else if (made.contains("clock")) {
                throw new IllegalArgumentException("media settings given in code carry their own clock; do not set one here");
            }
            if (m.root() == null && !m.development()) {
                throw new IllegalArgumentException("media-root is required on a media host: the directory that"
                        + " media paths are relative to");
            }
            if (made.contains("mount") && !mount.equals(m.mediaPrefix())) {
                throw new IllegalArgumentException("mount " + mount + " differs from the path of media-url ("
                        + m.mediaPrefix() + "); leave mount unset in media mode");
            }
            String internal = accelPrefix;
            if (m.internalMediaPrefix() != null) {
                if (internal != null && !internal.equals(m.internalMediaPrefix())) {
                    throw new IllegalArgumentException("accel-prefix " + internal + " differs from internal-media-prefix "
                            + m.internalMediaPrefix() + "; set only internal-media-prefix");
                }
                internal = m.internalMediaPrefix();
            }
            if (delivery.offloaded() && internal == null) {
                throw new IllegalArgumentException("delivery=" + delivery.key() + " needs internal-media-prefix: the"
                        + " front server's internal location, e.g. /protected/");
            }
            if (delivery.offloaded() && !renderer.equals("auto")) {
                throw new IllegalArgumentException("renderer=" + renderer + " needs delivery=stream; with delivery="
                        + delivery.key() + " the front server sends the bytes");
            }
            String backend = m.development() ? "the application (development mode)"
                    : "signed URLs (keys " + String.join(", ", m.signer().keyIds()) + ")";
            return new KeyholeConfig(null, m.mediaPrefix(), null, backend, null, tokenSource, List.of(), false, false,
                    downloadMatrix, delivery, internal, renderer, cacheControl, maxRanges,
                    m.signer() != null ? m.signer().clock() : clock, m, uploads());
        }

        /** The transport for {@code request-type=json}, checking that its own keys, and only those, are set. */
        private Transport jsonTransport() {
            Map<String, List<String>> keysOf = Map.of(
                    "unix", List.of("unix-socket"), "tcp", List.of("tcp-host", "tcp-port"), "http", List.of("http-url"));
            for (Map.Entry<String, List<String>> e : keysOf.entrySet()) {
                for (String key : e.getValue()) {
                    boolean set = made.contains(key);
                    if (e.getKey().equals(transportType) && !set) {
                        throw new IllegalArgumentException(key + " is required with transport-type=" + transportType
                                + " (or give an Authorizer in code)");
                    }
                    if (!e.getKey().equals(transportType) && set) {
                        throw new IllegalArgumentException(key + " belongs to transport-type=" + e.getKey()
                                + ", but transport-type is " + transportType);
                    }
                }
            }
            try {
                return switch (transportType) {
                    case "tcp" -> new TcpTransport(tcpHost, tcpPort, authConnectTimeout, authTimeout);
                    case "http" -> new HttpTransport(httpUrl, authConnectTimeout, authTimeout);
                    default -> new UnixSocketTransport(unixSocket, authConnectTimeout, authTimeout);
                };
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((transportType.equals("http") ? "http-url: " : "tcp-host/tcp-port: ")
                        + e.getMessage(), e);
            }
        }

        /** Uploads and deletes: a store on the tree, or nothing at all while read-only. */
        private Uploads uploads() {
            String instance = instanceId != null ? instanceId : FileIds.defaultInstance();
            if (readOnly) {
                List<String> needless = made.stream().filter(k -> k.equals("upload-max-size") || k.equals("matrix-upload")
                        || k.equals("matrix-delete") || k.equals("instance-id") || k.equals("sql-insert-query")
                        || k.equals("sql-delete-query")).sorted().toList();
                if (!needless.isEmpty()) {
                    throw new IllegalArgumentException(needless + " only matter for uploads and deletes over HTTP;"
                            + " set read-only=no to accept them, or drop " + (needless.size() == 1 ? "it" : "them"));
                }
                return new Uploads(true, uploadMaxSize, uploadMatrix, deleteMatrix, instance, null);
            }
            if (!uploadMatrix.allowsWithoutCredential() && (jwtKey == null || jwtField == null)) {
                throw new IllegalArgumentException("read-only=no, but no upload could ever be allowed: requests carry no"
                        + " credential value without jwt-key and jwt-field, and matrix-upload " + uploadMatrix
                        + " refuses every request without one. Set jwt-key and jwt-field, or allow requests without a"
                        + " credential in matrix-upload (e.g. allow:allow:allow:deny) and let the backend decide by status");
            }
            FileStore store = FileStore.builder(new HashedTree(fsRoot, fsDepth))
                    .clock(clock).instance(instance).maxSize(uploadMaxSize).build();
            return new Uploads(false, uploadMaxSize, uploadMatrix, deleteMatrix, instance, store);
        }

        private static String slashed(String key, String prefix) {
            String p = nonBlank(key, prefix);
            if (!p.startsWith("/") || p.contains("..") || p.contains("\\") || p.indexOf('?') >= 0 || p.indexOf('#') >= 0
                    || p.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                throw new IllegalArgumentException(key + " must be an absolute URL path such as /files/, was '" + p + "'");
            }
            return p.endsWith("/") ? p : p + "/";
        }

        private static String nonBlank(String key, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(key + " must not be blank");
            }
            return value.trim();
        }

        private static String token(String key, String name) {
            return Settings.token(key, name);
        }

        private static String headerValue(String key, String value) {
            String v = nonBlank(key, value);
            if (v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException(key + " must not contain control characters");
            }
            return v;
        }

        private static String oneOf(String key, String value, String... allowed) {
            return Settings.oneOf(key, value, allowed);
        }

        private static Duration positive(String key, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
            }
            return d;
        }

        /** nginx-style durations: {@code 250ms}, {@code 5s}, {@code 2m}; a bare number is seconds. */
        static Duration duration(String key, String value) {
            return Settings.duration(key, value);
        }
    }
}
