package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyhole.NameValue;
import io.keyhole.testing.TestRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenSourceTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOiJhbGljZSJ9.c2lnbmF0dXJl";

    /** Where the requests go: the path plays no part in finding a token. */
    private static final String PATH = "/f/abcdef0123456789";

    private static TestRequest headers(String... nameValues) {
        List<NameValue> list = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            list.add(new NameValue(nameValues[i], nameValues[i + 1]));
        }
        return TestRequest.get(PATH).withHeaders(list);
    }

    private static TestRequest cookies(String... nameValues) {
        List<NameValue> list = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            list.add(new NameValue(nameValues[i], nameValues[i + 1]));
        }
        return TestRequest.get(PATH).withCookies(list);
    }

    static Stream<Arguments> bearer() {
        return Stream.of(
                // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token
                Arguments.of(headers("Authorization", "Bearer " + JWT), JWT),
                Arguments.of(headers("authorization", "bearer " + JWT), JWT),          // names and scheme are case-insensitive
                Arguments.of(headers("Authorization", "BEARER " + JWT), JWT),
                Arguments.of(headers("Authorization", "Bearer    " + JWT), JWT),       // 1*SP
                Arguments.of(headers("Authorization", "Bearer " + JWT + "  "), JWT),   // trailing OWS is not part of the value
                Arguments.of(headers("Authorization", "Bearer abc+/~_-.=="), "abc+/~_-.=="), // every token68 character
                Arguments.of(headers("Authorization", "Basic dXNlcjpwYXNz", "Authorization", "Bearer " + JWT), JWT),
                Arguments.of(headers("Authorization", "Bearer first", "Authorization", "Bearer second"), "first"),
                Arguments.of(headers("Authorization", "Bearer"), null),                 // no token
                Arguments.of(headers("Authorization", "Bearer "), null),
                Arguments.of(headers("Authorization", "Bearer\t" + JWT), null),         // SP only, not tab
                Arguments.of(headers("Authorization", "Bearer" + JWT), null),           // no space at all
                Arguments.of(headers("Authorization", " Bearer " + JWT), null),         // nothing before the scheme
                Arguments.of(headers("Authorization", "Bearer a b"), null),             // one token only
                Arguments.of(headers("Authorization", "Bearer a=b"), null),             // '=' only at the end
                Arguments.of(headers("Authorization", "Bearer =abc"), null),
                Arguments.of(headers("Authorization", "Bearer a,b"), null),
                Arguments.of(headers("Authorization", "Bearer \"abc\""), null),
                Arguments.of(headers("Authorization", "Basic dXNlcjpwYXNz"), null),     // another scheme
                Arguments.of(headers("Authorization", "Bearerx abc"), null),
                Arguments.of(headers("Authorization", ""), null),
                Arguments.of(headers("X-Other", "Bearer " + JWT), null),
                Arguments.of(headers(), null));
    }

    @ParameterizedTest
    @MethodSource
    void bearer(TestRequest request, String expected) {
        assertEquals(expected, TokenSource.bearer().find(request));
    }

    static Stream<Arguments> header() {
        return Stream.of(
                Arguments.of(headers("X-Custom-JWT", JWT), JWT),
                Arguments.of(headers("x-custom-jwt", JWT), JWT),                     // header names are case-insensitive
                Arguments.of(headers("X-Custom-JWT", "  " + JWT + " \t"), JWT),      // trimmed
                Arguments.of(headers("X-Custom-JWT", "Bearer " + JWT), JWT),         // a leading Bearer is dropped
                Arguments.of(headers("X-Custom-JWT", "bearer  " + JWT), JWT),
                Arguments.of(headers("X-Custom-JWT", JWT, "X-Custom-JWT", "second"), JWT),
                Arguments.of(headers("X-Custom-JWT", ""), null),
                Arguments.of(headers("X-Custom-JWT", "   "), null),
                Arguments.of(headers("Authorization", "Bearer " + JWT), null),
                Arguments.of(headers(), null));
    }

    @ParameterizedTest
    @MethodSource
    void header(TestRequest request, String expected) {
        assertEquals(expected, TokenSource.header("X-Custom-JWT").find(request));
    }

    static Stream<Arguments> cookie() {
        return Stream.of(
                Arguments.of(cookies("my_auth_cookie", JWT), JWT),
                Arguments.of(cookies("other", "x", "my_auth_cookie", JWT), JWT),
                Arguments.of(cookies("my_auth_cookie", JWT, "my_auth_cookie", "second"), JWT), // the first one
                Arguments.of(cookies("My_Auth_Cookie", JWT), null),                  // cookie names are exact
                Arguments.of(cookies("my_auth_cookie_2", JWT), null),
                Arguments.of(cookies("my_auth_cookie", ""), null),
                Arguments.of(cookies(), null),
                Arguments.of(headers("Cookie", "my_auth_cookie=" + JWT), null));     // cookies come parsed, from cookies()
    }

    @ParameterizedTest
    @MethodSource
    void cookie(TestRequest request, String expected) {
        assertEquals(expected, TokenSource.cookie("my_auth_cookie").find(request));
    }

    @Test
    void namesAreRequired() {
        assertThrows(NullPointerException.class, () -> TokenSource.header(null));
        assertThrows(IllegalArgumentException.class, () -> TokenSource.header(" "));
        assertThrows(NullPointerException.class, () -> TokenSource.cookie(null));
        assertThrows(IllegalArgumentException.class, () -> TokenSource.cookie(""));
    }

    @Test
    void sourcesAreValues() {
        assertEquals(TokenSource.bearer(), TokenSource.bearer());
        assertEquals(TokenSource.header("X-A"), TokenSource.header("X-A"));
        assertEquals(TokenSource.cookie("a"), new TokenSource.Cookie("a"));
        assertNull(TokenSource.bearer().find(headers("Authorization", "Bearer")));
    }
}
