package io.keyhole.authorizer;

import io.keyhole.Authorizer;
import io.keyhole.authorizer.sql.SqlSettings;
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
     */
    record Json(JsonRequestType.Fields fields, String transport, Path unixSocket, String tcpHost, int tcpPort,
                URI httpUrl, Duration connectTimeout, Duration answerTimeout) implements Backend {

        /** @throws IllegalArgumentException when the transport's address or deadlines are not usable */
        public Json {
            Objects.requireNonNull(fields, "fields");
            transport(transport, unixSocket, tcpHost, tcpPort, httpUrl, connectTimeout, answerTimeout).close();
        }

        @Override
        public Authorizer start() {
            return Authorizers.of(new JsonRequestType(fields), newTransport());
        }

        /** A new transport; the HTTP one starts its client on its first exchange. */
        private Transport newTransport() {
            return transport(transport, unixSocket, tcpHost, tcpPort, httpUrl, connectTimeout, answerTimeout);
        }

        private static Transport transport(String transport, Path unixSocket, String tcpHost, int tcpPort, URI httpUrl,
                                           Duration connectTimeout, Duration answerTimeout) {
            return switch (transport) {
                case "tcp" -> new TcpTransport(tcpHost, tcpPort, connectTimeout, answerTimeout);
                case "http" -> new HttpTransport(httpUrl, connectTimeout, answerTimeout);
                case "unix" -> new UnixSocketTransport(unixSocket, connectTimeout, answerTimeout);
                default -> throw new IllegalArgumentException("transport-type must be unix, tcp or http; was '"
                        + transport + "'");
            };
        }

        @Override
        public String toString() {
            return "json over " + newTransport().describe();
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
}
