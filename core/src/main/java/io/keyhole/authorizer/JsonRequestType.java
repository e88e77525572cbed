package io.keyhole.authorizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.NameValue;
import io.keyhole.StoredMetadata;
import io.keyhole.internal.JsonFactories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The JSON exchange of the nginx module, field for field.
 *
 * <p>Request (seed generation): {@code {"uri": "...", "jwt_value": "..."}} plus, when extended,
 * {@code "headers": [{"name","value"}...]} and {@code "cookies": [...]}. {@code jwt_value} is left
 * out when the request has no credential value; {@code headers}/{@code cookies} are left out when
 * the {@link AuthRequest} carries {@code null} for them. The later generation sends
 * {@code file_id}, {@code auth_value} and {@code http_method} in place of the first two.
 * Uploads and deletes send {@code http_method} in both generations ({@code POST},
 * {@code DELETE}), so a backend of the seed generation can tell them from downloads; an upload
 * also carries the stored file's {@code filename}, {@code content_type},
 * {@code content_disposition}, {@code etag}, {@code length} and {@code upload_date} (Unix
 * seconds), the same fields an answer carries.
 *
 * <p>Answer: one JSON object with {@code status} (an integer 100..599), {@code filename},
 * {@code content_type}, {@code content_disposition} (the seed's misspelt
 * {@code content_dispostion} is accepted too; the correct spelling wins when both come),
 * {@code etag}, {@code length} and {@code upload_date} (integers, or strings of digits),
 * {@code error}, {@code auth_value} (whom the answer is for; see {@code AuthMatrix}), and
 * {@code cache_ttl} (seconds the decision may be remembered, see {@code AuthCache}). Unknown
 * fields are ignored, JSON {@code null} counts as absent, and {@code {}}
 * is an empty answer. Anything else is {@code BAD_ANSWER}: no bytes at all (a backend that died
 * mid-exchange must not grant), a second value after the object, a field given twice, a field of
 * the wrong type. Messages name the field and the problem but never repeat the backend's values,
 * which may hold credentials.
 */
public final class JsonRequestType implements RequestType {

    /** Which generation's request field names to send. */
    public enum Fields {
        /** {@code uri}, {@code jwt_value}. */
        SEED,
        /** {@code file_id}, {@code auth_value}, {@code http_method}. */
        LATER
    }

    /** Latest {@code upload_date} accepted: 9999-12-31T23:59:59Z, the last instant an HTTP date can show. */
    static final long MAX_UPLOAD_DATE = 253_402_300_799L;

    /** Shared: a factory is thread-safe once built, and building one per call would cost more than parsing. */
    private static final JsonFactory JSON = JsonFactories.create();

    private final Fields fields;

    /** The seed generation's field names. */
    public JsonRequestType() {
        this(Fields.SEED);
    }

    /** The given generation's field names. */
    public JsonRequestType(Fields fields) {
        this.fields = Objects.requireNonNull(fields, "fields");
    }

    /** Which generation's field names this type sends. */
    public Fields fields() {
        return fields;
    }

    @Override
    public byte[] encode(AuthRequest request) {
        ByteArrayBuilder buffer = new ByteArrayBuilder(256);
        try (JsonGenerator out = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            out.writeStartObject();
            if (fields == Fields.SEED) {
                out.writeStringField("uri", request.uri());
                if (request.authValue() != null) {
                    out.writeStringField("jwt_value", request.authValue());
                }
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    out.writeStringField("http_method", request.method());
                }
            } else {
                out.writeStringField("file_id", request.fileId().value());
                if (request.authValue() != null) {
                    out.writeStringField("auth_value", request.authValue());
                }
                out.writeStringField("http_method", request.method());
            }
            StoredMetadata stored = request.stored();
            if (stored != null) {
                out.writeStringField("filename", stored.filename());
                out.writeStringField("content_type", stored.contentType());
                out.writeStringField("content_disposition", stored.disposition().wireValue());
                out.writeStringField("etag", stored.etag());
                out.writeNumberField("length", stored.size());
                out.writeNumberField("upload_date", stored.uploadDateSeconds());
            }
            writePairs(out, "headers", request.headers());
            writePairs(out, "cookies", request.cookies());
            out.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail; if it did, there is no request to send.
            throw new UncheckedIOException("cannot encode the authorisation request", e);
        }
        return buffer.toByteArray();
    }

    private static void writePairs(JsonGenerator out, String field, List<NameValue> pairs) throws IOException {
        if (pairs == null) {
            return;
        }
        out.writeArrayFieldStart(field);
        for (NameValue pair : pairs) {
            out.writeStartObject();
            out.writeStringField("name", pair.name());
            out.writeStringField("value", pair.value());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    @Override
    public AuthResponse decode(byte[] answer, String backend, long elapsedMillis) throws AuthorizationException {
        Objects.requireNonNull(answer, "answer");
        String problem;
        try (JsonParser in = JSON.createParser(answer)) {
            return read(in);
        } catch (BadAnswer e) {
            problem = e.getMessage();
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the offending text, so only the position is kept.
            problem = "answer is not valid JSON (" + position(e.getLocation()) + ")";
        } catch (IOException e) {
            problem = "answer cannot be read as JSON (" + e.getClass().getSimpleName() + ")";
        }
        throw new AuthorizationException(Kind.BAD_ANSWER, backend, elapsedMillis, problem);
    }

    /** What is wrong with an answer, in words that name fields but never repeat values. */
    private static final class BadAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        BadAnswer(String message) {
            super(message, null, false, false);
        }
    }

    private static AuthResponse read(JsonParser in) throws IOException, BadAnswer {
        JsonToken first = in.nextToken();
        if (first == null) {
            throw new BadAnswer("empty answer");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new BadAnswer("answer is not a JSON object");
        }
        Integer status = null;
        String filename = null;
        String contentType = null;
        String disposition = null;
        String misspeltDisposition = null;
        String etag = null;
        Long length = null;
        Long uploadDate = null;
        String error = null;
        String authValue = null;
        Long cacheTtl = null;
        // Which fields were seen: the answer's own by their bits, any other name in a set made when one comes.
        int seen = 0;
        Set<String> seenOther = null;
        for (JsonToken token = in.nextToken(); token != JsonToken.END_OBJECT; token = in.nextToken()) {
            String name = in.currentName();
            AnswerField field = AnswerField.named(name);
            boolean again;
            if (field != null) {
                again = (seen & field.bit) != 0;
                seen |= field.bit;
            } else {
                if (seenOther == null) {
                    seenOther = new HashSet<>(8);
                }
                again = !seenOther.add(name);
            }
            if (again) {
                // An ambiguous answer ({"status":200,"status":403}) is an error, never a guess.
                throw new BadAnswer("answer field '" + printable(name) + "' appears twice");
            }
            JsonToken value = in.nextToken();
            if (field == null) {
                in.skipChildren();
                continue;
            }
            switch (field) {
                case STATUS -> status = status(in, value);
                case FILENAME -> filename = string(in, value, name);
                case CONTENT_TYPE -> contentType = string(in, value, name);
                case CONTENT_DISPOSITION -> disposition = string(in, value, name);
                case CONTENT_DISPOSTION -> misspeltDisposition = string(in, value, name);
                case ETAG -> etag = string(in, value, name);
                case LENGTH -> length = whole(in, value, name, Long.MAX_VALUE);
                case UPLOAD_DATE -> uploadDate = whole(in, value, name, MAX_UPLOAD_DATE);
                case ERROR -> error = string(in, value, name);
                case AUTH_VALUE -> authValue = string(in, value, name);
                case CACHE_TTL -> cacheTtl = whole(in, value, name, Long.MAX_VALUE);
            }
        }
        if (in.nextToken() != null) {
            throw new BadAnswer("answer has more after its JSON object (" + position(in.currentTokenLocation()) + ")");
        }
        if (seen == 0 && seenOther == null) {
            return AuthResponse.EMPTY;
        }
        return new AuthResponse(status, filename, contentType,
                disposition != null ? disposition : misspeltDisposition, etag, length, uploadDate, error, authValue,
                cacheTtl);
    }

    /**
     * The answer fields Keyhole reads, each named as in the answer ({@code content_dispostion} is
     * the nginx module's misspelling, still accepted) and with a bit of its own, so that a
     * duplicate is found without a set of names per answer.
     */
    private enum AnswerField {
        STATUS, FILENAME, CONTENT_TYPE, CONTENT_DISPOSITION, CONTENT_DISPOSTION, ETAG, LENGTH, UPLOAD_DATE, ERROR,
        AUTH_VALUE, CACHE_TTL;

        private static final Map<String, AnswerField> BY_NAME = new HashMap<>();

        static {
            for (AnswerField f : values()) {
                BY_NAME.put(f.name().toLowerCase(Locale.ROOT), f);
            }
        }

        final int bit = 1 << ordinal();

        /** The field called {@code name} in an answer, or {@code null} for one Keyhole does not read. */
        static AnswerField named(String name) {
            return BY_NAME.get(name);
        }
    }

    private static Integer status(JsonParser in, JsonToken value) throws IOException, BadAnswer {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new BadAnswer("answer field 'status' must be an integer, was " + describe(value));
        }
        if (in.getNumberType() != JsonParser.NumberType.INT || in.getIntValue() < 100 || in.getIntValue() > 599) {
            throw new BadAnswer("answer field 'status' must be an HTTP status 100..599");
        }
        return in.getIntValue();
    }

    private static String string(JsonParser in, JsonToken value, String field) throws IOException, BadAnswer {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new BadAnswer("answer field '" + field + "' must be a string, was " + describe(value));
        }
        return in.getText();
    }

    /** A non-negative integer up to {@code max}, given as a JSON integer or a string of digits. */
    private static Long whole(JsonParser in, JsonToken value, String field, long max) throws IOException, BadAnswer {
        long result;
        if (value == JsonToken.VALUE_NULL) {
            return null;
        } else if (value == JsonToken.VALUE_NUMBER_INT) {
            if (in.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw outOfRange(field, max);
            }
            result = in.getLongValue();
        } else if (value == JsonToken.VALUE_STRING) {
            String text = in.getText();
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new BadAnswer("answer field '" + field
                        + "' must be an integer or a string of digits; the string holds something else");
            }
            try {
                result = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw outOfRange(field, max);
            }
        } else {
            throw new BadAnswer("answer field '" + field + "' must be an integer, was " + describe(value));
        }
        if (result < 0 || result > max) {
            throw outOfRange(field, max);
        }
        return result;
    }

    private static BadAnswer outOfRange(String field, long max) {
        return new BadAnswer("answer field '" + field + "' is out of range (0.." + max + ")");
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> "something else";
        };
    }

    private static String position(JsonLocation location) {
        if (location == null) {
            return "position unknown";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** A field name for a message: names are the backend's choice, so keep them short and plain. */
    private static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && i < 32; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return name.length() > 32 ? out + "..." : out.toString();
    }

    @Override
    public String toString() {
        return fields == Fields.SEED ? "json" : "json (later fields)";
    }
}
