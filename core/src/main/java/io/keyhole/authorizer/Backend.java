package io.keyhole.authorizer;

import io.keyhole.Authorizer;
import io.keyhole.authorizer.sql.SqlSettings;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.MetaFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Who decides, as configured: a value. {@link #start()} builds the live authoriser (transports,
 * connection pools) and its starter closes what it built; an authoriser given in code is its
 * owner's to close. {@code toString()} describes the backend for log lines, never with a secret.
 */
public sealed interface Backend {

    /**
     * The authoriser to ask. For {@link Given} the instance given; otherwise a new one, which the
     * caller closes when it is {@link AutoCloseable}.
     */
    Authorizer start();

    /** Whether {@link #start()} builds something new that its caller must close. */
    default boolean builds() {
        return true;
    }

    /** An {@link Authorizer} of the application's own, used as it is and never closed by Keyhole. */
    record Given(Authorizer authorizer) implements Backend {
        public Given {
            Objects.requireNonNull(authorizer, "authorizer");
        }

        @Override
        public Authorizer start() {
            return authorizer;
        }

        @Override
        public boolean builds() {
            return false;
        }

        @Override
        public String toString() {
            return authorizer.toString();
        }
    }

    /**
     * JSON over a stream socket or HTTP ({@code request-type=json}).
     *
     * @param transport {@code unix}, {@code tcp} or {@code http}; only that transport's address is set
     * @param keepAlive {@link KeepAlive#OFF}, or kept connections for {@code unix} and {@code tcp}
     */
    record Json(JsonRequestType.Fields fields, String transport, Path unixSocket, String tcpHost, int tcpPort,
                URI httpUrl, Duration connectTimeout, Duration answerTimeout, KeepAlive keepAlive) implements Backend {

        /** @throws IllegalArgumentException when the transport's address or deadlines are not usable */
        public Json {
            Objects.requireNonNull(fields, "fields");
            Objects.requireNonNull(keepAlive, "keepAlive");
            if (keepAlive.enabled() && "http".equals(transport)) {
                throw new IllegalArgumentException("auth-keep-alive is for transport-type=unix or tcp;"
                        + " transport-type=http keeps its connections open by itself");
            }
            transport(transport, unixSocket, tcpHost, tcpPort, httpUrl, connectTimeout, answerTimeout, keepAlive).close();
        }

        @Override
        public Authorizer start() {
            return Authorizers.of(new JsonRequestType(fields), newTransport());
        }

        /** A new transport; the HTTP one starts its client on its first exchange. */
        private Transport newTransport() {
            return transport(transport, unixSocket, tcpHost, tcpPort, httpUrl, connectTimeout, answerTimeout, keepAlive);
        }

        private static Transport transport(String transport, Path unixSocket, String tcpHost, int tcpPort, URI httpUrl,
                                           Duration connectTimeout, Duration answerTimeout, KeepAlive keepAlive) {
            int max = Limits.DEFAULT_MAX_ANSWER_BYTES;
            return switch (transport) {
                case "tcp" -> new TcpTransport(tcpHost, tcpPort, connectTimeout, answerTimeout, max, keepAlive);
                case "http" -> new HttpTransport(httpUrl, connectTimeout, answerTimeout);
                case "unix" -> new UnixSocketTransport(unixSocket, connectTimeout, answerTimeout, max, keepAlive);
                default -> throw new IllegalArgumentException("transport-type must be unix, tcp or http; was '"
                        + transport + "'");
            };
        }

        @Override
        public String toString() {
            return "json over " + newTransport().describe()
                    + (keepAlive.enabled() ? " (up to " + keepAlive.idleConnections() + " kept connections)" : "");
        }
    }

    /** SQL over JDBC ({@code request-type=sql}): the settings, and a connection pool once started. */
    record Sql(SqlSettings settings) implements Backend {
        public Sql {
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public Authorizer start() {
            return settings.start();
        }

        @Override
        public String toString() {
            return settings.toString();
        }
    }

    /**
     * No question at all ({@code request-type=none}): every answer is empty, so the authorisation
     * matrices alone decide — a public tree ({@code allow:allow:allow:allow}), or "any valid
     * credential may read" ({@code allow:allow:deny:deny}).
     */
    record None() implements Backend {
        @Override
        public Authorizer start() {
            return new Authorizer() {
                @Override
                public io.keyhole.AuthResponse authorize(io.keyhole.AuthRequest request) {
                    return io.keyhole.AuthResponse.EMPTY;
                }

                @Override
                public String toString() {
                    return "none (the matrices decide)";
                }
            };
        }

        @Override
        public boolean builds() {
            return false;
        }

        @Override
        public String toString() {
            return "none (the matrices decide)";
        }
    }

    /**
     * Metadata beside each file ({@code request-type=internal}): see {@link StoredAnswers}.
     *
     * @param cacheBytes   how much recorded metadata to keep in memory; 0 for none
     * @param uploadMatrix {@code matrix-upload}, which says whose uploads are recorded
     * @param deleteMatrix {@code matrix-delete}, which says whose deletes forget the record
     */
    record Internal(HashedTree tree, long cacheBytes, AuthMatrix uploadMatrix, AuthMatrix deleteMatrix)
            implements Backend {
        public Internal {
            Objects.requireNonNull(tree, "tree");
            Objects.requireNonNull(uploadMatrix, "uploadMatrix");
            Objects.requireNonNull(deleteMatrix, "deleteMatrix");
            if (cacheBytes < 0) {
                throw new IllegalArgumentException("internal-cache-size must be 0 or more bytes, was " + cacheBytes);
            }
        }

        @Override
        public Authorizer start() {
            return new StoredAnswers(new MetaFileStore(new MetaFiles(tree)), cacheBytes, uploadMatrix, deleteMatrix);
        }

        @Override
        public String toString() {
            return "internal metadata beside the files in " + tree.root()
                    + (cacheBytes > 0 ? " (cache " + cacheBytes + " bytes)" : "");
        }
    }

    /**
     * Answers kept in Redis under the file id ({@code transport-type=redis}): see {@link StoredAnswers}.
     *
     * @param password {@code null} for none; never shown by {@link #toString()}
     */
    record Redis(String host, int port, String password, Duration connectTimeout, Duration answerTimeout,
                 AuthMatrix uploadMatrix, AuthMatrix deleteMatrix) implements Backend {
        public Redis {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(uploadMatrix, "uploadMatrix");
            Objects.requireNonNull(deleteMatrix, "deleteMatrix");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("redis-port must be 1..65535, was " + port);
            }
            new Limits(connectTimeout, answerTimeout, Limits.DEFAULT_MAX_ANSWER_BYTES);
        }

        @Override
        public Authorizer start() {
            return new StoredAnswers(new RedisStore(host, port,
                    password == null ? null : password.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    connectTimeout, answerTimeout), 0, uploadMatrix, deleteMatrix);
        }

        @Override
        public String toString() {
            return "redis:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                    + (password != null ? " (with AUTH)" : "");
        }
    }
}
