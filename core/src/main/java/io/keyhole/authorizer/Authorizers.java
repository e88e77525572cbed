package io.keyhole.authorizer;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import java.util.Objects;

/** Builds {@link Authorizer}s from a request type and a transport. */
public final class Authorizers {

    private Authorizers() {
    }

    /** An authoriser that encodes with {@code type}, exchanges over {@code transport}, decodes with {@code type}. */
    public static Authorizer of(RequestType type, Transport transport) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(transport, "transport");
        return new Composed(type, transport);
    }

    /** A request type over a transport; closing it closes the transport. */
    private record Composed(RequestType type, Transport transport) implements Authorizer, AutoCloseable {
        @Override
        public AuthResponse authorize(AuthRequest request) throws AuthorizationException {
            long start = System.nanoTime();
            byte[] answer = transport.exchange(type.encode(request));
            return type.decode(answer, transport.describe(), (System.nanoTime() - start) / 1_000_000);
        }

        @Override
        public boolean probe() throws AuthorizationException {
            return transport.probe();
        }

        @Override
        public void close() {
            transport.close();
        }

        @Override
        public String toString() {
            return type + " over " + transport.describe();
        }
    }
}
