package io.keyhole;

import io.keyhole.http.ByteRange;
import io.keyhole.http.MultipartByteranges;
import io.keyhole.storage.OpenedFile;
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
     * <p>The file is open: whoever renders a {@code Send} closes it once the body is written, or
     * failed, or the client went away. The engine has closed it already when there is no body to
     * send ({@code bodiless}, or a front server sends it); closing again is harmless.
     *
     * @param headers       every header for a streamed answer, Content-Length and Content-Range included
     * @param file          the file the storage opened after authorisation: what is sent
     * @param ranges        empty for the whole file; one range for a single part; several for multipart
     * @param multipart     the multipart framing when {@code ranges} has several entries, else {@code null}
     * @param contentLength the exact body length
     * @param bodiless      {@code true} for HEAD: headers as for GET, no body
     */
    record Send(int status, List<NameValue> headers, OpenedFile file, List<ByteRange> ranges,
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
     * Answer without a file: 304, a denial (401, 403, 404, 405, 412, 416) or a backend failure
     * (502, 503, 504).
     *
     * @param message a short plain-text body for the client, or {@code null} for none (304 and
     *                HEAD never carry one); never contains credentials
     */
    record Reply(int status, List<NameValue> headers, String message) implements Delivery {
        public Reply {
            headers = List.copyOf(headers);
        }
    }

    /**
     * Send the browser elsewhere (3xx) with an empty body: a media host's trip to the application
     * for a fresh token.
     *
     * @param headers every header, {@code Location} (an absolute URL) among them
     */
    record Redirect(int status, List<NameValue> headers) implements Delivery {
        public Redirect {
            headers = List.copyOf(headers);
            if (status < 300 || status > 399) {
                throw new IllegalArgumentException("a redirect has a 3xx status, not " + status);
            }
            if (headers.stream().noneMatch(h -> h.name().equalsIgnoreCase("Location"))) {
                throw new IllegalArgumentException("a redirect needs a Location header");
            }
        }

        /** Where the browser is sent. */
        public String location() {
            return header("Location");
        }
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
