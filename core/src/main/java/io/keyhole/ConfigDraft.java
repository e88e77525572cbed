package io.keyhole;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.authorizer.Backend;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.KeepAlive;
import io.keyhole.authorizer.sql.SqlSettings;
import io.keyhole.credential.JwtSettings;
import io.keyhole.credential.JwtTrust;
import io.keyhole.credential.SignedInCaller;
import io.keyhole.credential.TokenSource;
import io.keyhole.internal.Settings;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.AuditLog;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.storage.StorageSettings;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.HashedTree;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link KeyholeConfig.Builder} has collected so far, and the checks that turn it into a
 * configuration: settings that only make sense together, and keys that belong to another mode.
 * Mutable; confined to its builder.
 */
final class ConfigDraft {

    /** Keys that choose the backend; none may be set when an {@link Authorizer} is given in code. */
    private static final Set<String> TRANSPORT_KEYS = Set.of("request-type", "transport-type", "unix-socket",
            "tcp-host", "tcp-port", "http-url", "sql-dsn", "sql-password", "sql-query", "sql-no-row",
            "sql-pool-size", "sql-pool-wait", "sql-data-source", "sql-insert-query", "sql-delete-query",
            "auth-keep-alive", "auth-keep-alive-timeout");

    final Set<String> made = new HashSet<>();
    Path fsRoot;
    int fsDepth = 4;
    String mount = "/";
    Authorizer authorizer;
    String requestType = "json";
    String transportType = "unix";
    Path unixSocket;
    String tcpHost;
    int tcpPort;
    URI httpUrl;
    final SqlSettings.Builder sql = SqlSettings.builder();
    boolean readOnly = true;
    long uploadMaxSize = Uploads.DEFAULT_MAX_SIZE;
    AuthMatrix uploadMatrix = AuthMatrix.UPLOAD_DEFAULT;
    AuthMatrix deleteMatrix = AuthMatrix.DELETE_DEFAULT;
    String instanceId;
    JsonRequestType.Fields jsonFields = JsonRequestType.Fields.SEED;
    byte[] jwtKey;
    String jwtAlgorithm = "HS256";
    String jwtField;
    Duration jwtLeeway = Duration.ofSeconds(30);
    TokenSource tokenSource = TokenSource.bearer();
    JwtTrust jwtTrust = JwtTrust.NONE;
    boolean jsonExtended;
    List<String> extraHeaders = List.of();
    boolean allHeaders;
    boolean allCookies;
    AuthMatrix downloadMatrix = AuthMatrix.DOWNLOAD_DEFAULT;
    DeliveryMode delivery = DeliveryMode.STREAM;
    String accelPrefix;
    String renderer = "auto";
    Duration authConnectTimeout = Duration.ofSeconds(1);
    Duration authTimeout = Duration.ofSeconds(5);
    int authKeepAlive;
    Duration authKeepAliveTimeout = KeepAlive.DEFAULT_IDLE_TIMEOUT;
    String cacheControl = "private";
    int maxRanges = 16;
    Clock clock = Clock.systemUTC();
    KeyholeListener listener = KeyholeListener.NONE;
    boolean audit;
    ActiveContent activeContent = ActiveContent.DEFAULT;
    SignedInCaller signedIn;
    MediaSettings media;
    Duration authCacheTtl = Duration.ZERO;
    Duration authCacheNegativeTtl = Duration.ZERO;
    int authCacheSize = AuthCache.DEFAULT_SIZE;
    final Map<String, String> mediaText = new LinkedHashMap<>();
    final InteropDraft interop = new InteropDraft();
    final StorageSettings.Builder storage = StorageSettings.builder();
    StorageSettings storageGiven;

    /**
     * Checks the settings together and builds the configuration.
     *
     * @throws IllegalArgumentException naming what is missing or inconsistent
     */
    KeyholeConfig build() {
        if (media != null || !mediaText.isEmpty()) {
            return buildMedia();
        }
        StorageSettings stored = storageSettings();
        if (fsRoot == null && stored.local()) {
            throw new IllegalArgumentException("fs-root is required: the directory that holds the hashed tree");
        }
        if (fsRoot != null && !stored.local()) {
            throw new IllegalArgumentException("fs-root is for storage=local; storage=" + stored.kind()
                    + " keeps the tree in the bucket");
        }
        if (requestType.equals("internal") && !stored.local()) {
            throw new IllegalArgumentException("request-type=internal keeps .meta files beside the files of a local"
                    + " tree; with storage=" + stored.kind() + " use a backend (json, sql, redis)");
        }
        interop.check(this);
        // A remote tree has no directory; the placeholder root is never read (the storage is the bucket).
        HashedTree tree = new HashedTree(fsRoot != null ? fsRoot : Path.of(""), fsDepth);
        Backend backend;
        if (authorizer != null) {
            List<String> transportKeys = made.stream().filter(TRANSPORT_KEYS::contains).sorted().toList();
            if (!transportKeys.isEmpty()) {
                throw new IllegalArgumentException("an authorizer was given in code; drop " + transportKeys);
            }
            backend = new Backend.Given(authorizer);
        } else if (InteropDraft.builds(requestType, transportType)) {
            backend = interop.backend(this, tree);
        } else if (requestType.equals("sql")) {
            for (String key : List.of("unix-socket", "tcp-host", "tcp-port", "http-url")) {
                if (made.contains(key)) {
                    throw new IllegalArgumentException(key + " is for request-type=json; request-type=sql reads sql-dsn");
                }
            }
            backend = new Backend.Sql(sql.transport(made.contains("transport-type") ? transportType : "mysql")
                    .connectTimeout(authConnectTimeout).queryTimeout(authTimeout).settings());
        } else {
            if (made.stream().anyMatch(k -> k.startsWith("sql-")) || transportType.equals("mysql")
                    || transportType.equals("jdbc")) {
                throw new IllegalArgumentException("transport-type=mysql|jdbc and the sql-* settings need request-type=sql");
            }
            backend = jsonBackend();
        }
        checkKeepAlive(backend);
        if (signedIn != null && (jwtKey != null || jwtTrust.publicKeys())) {
            throw new IllegalArgumentException("the caller is signed in by the application (given in code); drop"
                    + " jwt-key, jwt-key-file and jwt-jwks-url");
        }
        JwtSettings verifier = jwt();
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
            forwarded.addAll(KeyholeConfig.EXTENDED_HEADERS);
        }
        for (String h : extraHeaders) {
            if (forwarded.stream().noneMatch(h::equalsIgnoreCase)) {
                forwarded.add(h);
            }
        }
        return new KeyholeConfig(tree, mount, backend, verifier, tokenSource,
                forwarded, allHeaders, jsonExtended || allCookies, downloadMatrix, delivery, accelPrefix, renderer,
                cacheControl, maxRanges, clock, null, uploads(), listeners(), authCache(), activeContent,
                interop.interop(), signedIn, stored);
    }

    /** The listener given in code, with the audit log when {@code audit=yes}. */
    private KeyholeListener listeners() {
        return audit ? KeyholeListener.all(listener, AuditLog.SYSTEM) : listener;
    }

    /** The storage settings, given in code or collected from keys, checked against the delivery mode. */
    private StorageSettings storageSettings() {
        StorageSettings s = storageGiven;
        if (s == null) {
            s = storage.build();
        } else {
            List<String> keys = made.stream().filter(k -> k.startsWith("storage") && !k.equals("storage-settings")
                    || k.startsWith("s3-") || k.equals("presign-ttl")).sorted().toList();
            if (!keys.isEmpty()) {
                throw new IllegalArgumentException("the storage was given in code; drop " + keys);
            }
        }
        if (delivery == DeliveryMode.REDIRECT && s.local()) {
            throw new IllegalArgumentException("delivery=redirect sends clients to a presigned URL of the bucket;"
                    + " it needs storage=s3 (the local tree has no URLs to sign)");
        }
        if (made.contains("presign-ttl") && delivery != DeliveryMode.REDIRECT) {
            throw new IllegalArgumentException("presign-ttl only matters with delivery=redirect");
        }
        return s;
    }

    /** The JWT settings: a shared secret or public keys, and the claim checks; {@code null} without either. */
    private JwtSettings jwt() {
        boolean hmac = algorithmIsHmac();
        if (jwtKey != null) {
            if (jwtTrust.publicKeys()) {
                throw new IllegalArgumentException("set jwt-key (a shared secret) or jwt-key-file/jwt-jwks-url (public"
                        + " keys), not both");
            }
            if (!hmac) {
                throw new IllegalArgumentException("jwt-algorithm " + jwtAlgorithm + " needs public keys (jwt-key-file"
                        + " or jwt-jwks-url); jwt-key is an HMAC secret for HS256, HS384 or HS512");
            }
            return new JwtSettings(jwtKey, jwtAlgorithm, jwtField, jwtLeeway, jwtTrust);
        }
        if (jwtTrust.publicKeys()) {
            if (made.contains("jwt-algorithm") && hmac) {
                throw new IllegalArgumentException("jwt-algorithm " + jwtAlgorithm + " is an HMAC algorithm; with"
                        + " public keys name a public-key algorithm, or leave it unset");
            }
            return new JwtSettings(new byte[0], made.contains("jwt-algorithm") ? jwtAlgorithm : null, jwtField,
                    jwtLeeway, jwtTrust);
        }
        List<String> needing = made.stream().filter(k -> k.equals("jwt-field") || k.equals("token-source") && !interop.session
                || k.equals("jwt-algorithm") || k.equals("jwt-audience") || k.equals("jwt-issuer")
                || k.equals("jwt-max-lifetime")).sorted().toList();
        if (!needing.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", needing).replace("token-source", "jwt-header/jwt-cookie")
                    + " need jwt-key, jwt-key-file or jwt-jwks-url");
        }
        return null;
    }

    private boolean algorithmIsHmac() {
        return jwtAlgorithm.startsWith("HS");
    }

    /** Media mode: no tree, no backend, no JWT; the media settings say what is served and to whom. */
    private KeyholeConfig buildMedia() {
        Set<String> fitting = Set.of("media", "mount", "delivery", "accel-prefix", "renderer", "cache-control",
                "max-ranges", "clock", "listener", "content-security-policy");
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
        if (delivery == DeliveryMode.REDIRECT) {
            throw new IllegalArgumentException("delivery=redirect needs a bucket (storage=s3); media mode serves media-root");
        }
        if (delivery.offloaded() && internal == null) {
            throw new IllegalArgumentException("delivery=" + delivery.key() + " needs internal-media-prefix: the"
                    + " front server's internal location, e.g. /protected/");
        }
        if (delivery.offloaded() && !renderer.equals("auto")) {
            throw new IllegalArgumentException("renderer=" + renderer + " needs delivery=stream; with delivery="
                    + delivery.key() + " the front server sends the bytes");
        }
        return new KeyholeConfig(null, m.mediaPrefix(), null, null, tokenSource, List.of(), false, false,
                downloadMatrix, delivery, internal, renderer, cacheControl, maxRanges,
                m.signer() != null ? m.signer().clock() : clock, m, uploads(), listeners(), AuthCache.OFF, activeContent, Interop.DEFAULT, null,
                StorageSettings.DEFAULT);
    }

    /** The backend for {@code request-type=json}, checking that its transport's keys, and only those, are set. */
    private Backend jsonBackend() {
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
            return new Backend.Json(jsonFields, transportType, unixSocket, tcpHost, tcpPort, httpUrl,
                    authConnectTimeout, authTimeout, keepAlive());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((transportType.equals("http") ? "http-url: " : "tcp-host/tcp-port: ")
                    + e.getMessage(), e);
        }
    }

    /** Kept connections to the backend: off unless {@code auth-keep-alive} is set, and then only for a stream transport. */
    private KeepAlive keepAlive() {
        if (made.contains("auth-keep-alive-timeout") && authKeepAlive == 0) {
            throw new IllegalArgumentException("auth-keep-alive-timeout needs auth-keep-alive: the number of idle"
                    + " connections to keep (0, the default, opens a connection per question)");
        }
        return new KeepAlive(authKeepAlive, authKeepAliveTimeout);
    }

    private void checkKeepAlive(Backend backend) {
        boolean asked = made.contains("auth-keep-alive") || made.contains("auth-keep-alive-timeout");
        if (asked && !(backend instanceof Backend.Json json && !json.transport().equals("http"))) {
            throw new IllegalArgumentException("auth-keep-alive is for request-type=json over transport-type=unix or tcp"
                    + (backend instanceof Backend.Json ? "; transport-type=http keeps its connections open by itself"
                    : "; this configuration asks " + backend));
        }
    }

    /** The decision cache: off unless a TTL is set, and then only with a size that means something. */
    private AuthCache authCache() {
        AuthCache cache = new AuthCache(authCacheTtl, authCacheNegativeTtl, authCacheSize);
        if (!cache.enabled() && made.contains("auth-cache-size")) {
            throw new IllegalArgumentException("auth-cache-size needs auth-cache-ttl or auth-cache-negative-ttl:"
                    + " without either no decision is remembered");
        }
        return cache;
    }

    /** Uploads and deletes: a store on the tree, or nothing at all while read-only. */
    private Uploads uploads() {
        String instance = instanceId != null ? instanceId : FileIds.defaultInstance();
        if (readOnly) {
            List<String> needless = made.stream().filter(k -> k.equals("upload-max-size") || k.equals("matrix-upload")
                    || k.equals("matrix-delete") || k.equals("instance-id") || k.equals("sql-insert-query")
                    || k.equals("sql-delete-query") || k.equals("active-uploads")).sorted().toList();
            if (!needless.isEmpty()) {
                throw new IllegalArgumentException(needless + " only matter for uploads and deletes over HTTP;"
                        + " set read-only=no to accept them, or drop " + (needless.size() == 1 ? "it" : "them"));
            }
            return new Uploads(true, uploadMaxSize, uploadMatrix, deleteMatrix, instance);
        }
        if (!uploadMatrix.allowsWithoutCredential() && !interop.session && signedIn == null && (jwtKey == null || jwtField == null)) {
            throw new IllegalArgumentException("read-only=no, but no upload could ever be allowed: requests carry no"
                    + " credential value without jwt-key and jwt-field, and matrix-upload " + uploadMatrix
                    + " refuses every request without one. Set jwt-key and jwt-field, or allow requests without a"
                    + " credential in matrix-upload (e.g. allow:allow:allow:deny) and let the backend decide by status");
        }
        return new Uploads(false, uploadMaxSize, uploadMatrix, deleteMatrix, instance);
    }

    static String slashed(String key, String prefix) {
        String p = nonBlank(key, prefix);
        if (!p.startsWith("/") || p.contains("..") || p.contains("\\") || p.indexOf('?') >= 0 || p.indexOf('#') >= 0
                || p.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new IllegalArgumentException(key + " must be an absolute URL path such as /files/, was '" + p + "'");
        }
        return p.endsWith("/") ? p : p + "/";
    }

    static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be blank");
        }
        return value.trim();
    }

    static String token(String key, String name) {
        return Settings.token(key, name);
    }

    static String headerValue(String key, String value) {
        String v = nonBlank(key, value);
        if (v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new IllegalArgumentException(key + " must not contain control characters");
        }
        return v;
    }

    static String oneOf(String key, String value, String... allowed) {
        return Settings.oneOf(key, value, allowed);
    }

    static Duration notNegative(String key, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(key + " must be a duration of 0 or more, was " + d);
        }
        return d;
    }

    static Duration positive(String key, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
        }
        return d;
    }
}
