package io.keyhole;

import io.keyhole.http.ByteRange;
import io.keyhole.http.MultipartByteranges;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the core decided for one request: a value, rendered by an adapter. Nothing has been
 * written when a {@code Delivery} exists, and only {@link Send} involves the file's bytes.
 * Adapters render {@link Send}, {@link Reply} and {@link Redirect}, and hand {@link Pass} on.
 */
public sealed interface Delivery {

    /** The status to answer with. */
    int status();

    /** The header fields to send, in order. */
    List<NameValue> headers();

    /** The first value of a header in {@link #headers()}, case-insensitive; {@code null} when absent. */
    default String header(String name) {
        for (NameValue h : headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /**
     * Send (part of) a file: 200 or 206.
     *
     * @param headers       every header for a streamed answer, Content-Length and Content-Range included
     * @param file          the file, located inside the tree after authorisation
     * @param ranges        empty for the whole file; one range for a single part; several for multipart
     * @param multipart     the multipart framing when {@code ranges} has several entries, else {@code null}
     * @param contentLength the exact body length
     * @param bodiless      {@code true} for HEAD: headers as for GET, no body
     */
    record Send(int status, List<NameValue> headers, StoredFile file, List<ByteRange> ranges,
                MultipartByteranges multipart, long contentLength, boolean bodiless) implements Delivery {
        public Send {
            headers = List.copyOf(headers);
            ranges = List.copyOf(ranges);
            Objects.requireNonNull(file, "file");
            if ((ranges.size() > 1) != (multipart != null)) {
                throw new IllegalArgumentException("multipart framing goes with two or more ranges");
            }
        }
    }

    /**
     * Answer without a file: 304, a denial (401, 403, 404, 405, 412, 416), a backend failure
     * (502, 503, 504), or a short result such as an upload's 201. The core frames the body: a
     * reply with a message carries its {@code Content-Type} ({@code text/plain;charset=utf-8}
     * unless given), {@code X-Content-Type-Options: nosniff} and {@code Content-Length} among its
     * headers, and {@link #body()} is exactly what to send.
     *
     * @param message a short text for the client, or {@code null} for none (304 and 204 never
     *                carry one); never contains credentials
     */
    record Reply(int status, List<NameValue> headers, String message) implements Delivery {
        public Reply {
            if (message != null && (status == 304 || status == 204)) {
                throw new IllegalArgumentException("a " + status + " carries no body");
            }
            List<NameValue> all = new ArrayList<>(headers);
            if (message != null) {
                if (absent(all, "Content-Type")) {
                    all.add(new NameValue("Content-Type", "text/plain;charset=utf-8"));
                }
                if (absent(all, "X-Content-Type-Options")) {
                    all.add(new NameValue("X-Content-Type-Options", "nosniff"));
                }
                all.removeIf(h -> h.name().equalsIgnoreCase("Content-Length"));
                all.add(new NameValue("Content-Length", Integer.toString(encode(message).length)));
            }
            headers = List.copyOf(all);
        }

        /** The body: the message and a line end, in UTF-8; {@code null} when there is none. HEAD sends none. */
        public byte[] body() {
            return message == null ? null : encode(message);
        }

        private static byte[] encode(String message) {
            return (message + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Send the browser elsewhere (3xx) with an empty body: a media host's trip to the application
     * for a fresh token, or the application's redirect back with one.
     *
     * @param headers every header, {@code Location} (an absolute URL) among them; {@code Content-Length: 0} is added
     */
    record Redirect(int status, List<NameValue> headers) implements Delivery {
        public Redirect {
            if (status < 300 || status > 399) {
                throw new IllegalArgumentException("a redirect has a 3xx status, not " + status);
            }
            if (absent(headers, "Location")) {
                throw new IllegalArgumentException("a redirect needs a Location header");
            }
            List<NameValue> all = new ArrayList<>(headers);
            all.removeIf(h -> h.name().equalsIgnoreCase("Content-Length"));
            all.add(new NameValue("Content-Length", "0"));
            headers = List.copyOf(all);
        }

        /** Where the browser is sent. */
        public String location() {
            return header("Location");
        }
    }

    /** A short answer that no cache may keep: {@code status}, {@code message} as its body, {@code extra} headers first. */
    static Delivery reply(int status, String message, NameValue... extra) {
        List<NameValue> headers = new ArrayList<>(extra.length + 1);
        headers.addAll(List.of(extra));
        headers.add(new NameValue("Cache-Control", "no-store"));
        return new Reply(status, headers, message);
    }

    /** A 302 to {@code location} that no cache may keep: a cached redirect would hand out an expired token. */
    static Delivery redirect(String location) {
        return new Redirect(302, List.of(new NameValue("Location", location), new NameValue("Cache-Control", "no-store")));
    }

    private static boolean absent(List<NameValue> headers, String name) {
        return headers.stream().noneMatch(h -> h.name().equalsIgnoreCase(name));
    }

    /**
     * The request is not Keyhole's (outside its mount, or a method it leaves alone): the adapter
     * hands it on unchanged, e.g. to the rest of the filter chain.
     */
    record Pass() implements Delivery {
        @Override
        public int status() {
            return 0;
        }

        @Override
        public List<NameValue> headers() {
            return List.of();
        }
    }
}
