package io.keyhole.http;

import static io.keyhole.http.Fixtures.headers;
import static io.keyhole.http.Fixtures.representation;
import static io.keyhole.http.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The conditional half of {@link Preconditions}: RFC 9110 §13.1 and the order of §13.2.2.
 * Representations: {@code v2@T} has the strong tag "v2" and Last-Modified
 * Sun, 06 Nov 1994 08:49:37 GMT; {@code weak} the same with W/"v2"; {@code bare} neither;
 * {@code millis} is modified half a second after T.
 */
class PreconditionsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            # rule                                                        | rep    | method | headers                                    | status
            §13.2.2 step 6: no conditions, the whole representation        | v2@T   | GET    | (none)                                     | 200
            §9.3.2: HEAD is answered like GET                              | v2@T   | HEAD   | (none)                                     | 200

            # step 1: If-Match
            §13.1.1: a strong match holds                                  | v2@T   | GET    | If-Match: "v2"                             | 200
            §13.1.1: no match fails                                        | v2@T   | GET    | If-Match: "v1"                             | 412
            §13.1.1: any member of the list may match                      | v2@T   | GET    | If-Match: "v0", "v1", "v2"                 | 200
            §13.1.1: the comparison is strong, a weak tag never matches    | v2@T   | GET    | If-Match: W/"v2"                           | 412
            §13.1.1: the comparison is strong, a weak current tag neither  | weak   | GET    | If-Match: "v2"                             | 412
            §13.1.1: * holds when a representation exists                 | v2@T   | GET    | If-Match: *                                | 200
            §13.1.1: * holds even without an entity tag                    | bare   | GET    | If-Match: *                                | 200
            §13.1.1: a tag cannot match a representation that has none     | bare   | GET    | If-Match: "v2"                             | 412
            §13.1.1: the outcome does not depend on the method             | v2@T   | PUT    | If-Match: "v1"                             | 412
            §5.3: several lines form one list                              | v2@T   | GET    | If-Match: "v1" && If-Match: "v2"           | 200
            §13.1.1: a malformed If-Match cannot hold                      | v2@T   | GET    | If-Match: v2                               | 412
            §13.1.1: * does not combine with tags                          | v2@T   | GET    | If-Match: "v2", *                          | 412
            §13.1.1: the empty list matches nothing                        | v2@T   | GET    | If-Match:                                  | 412
            §13.1.1: the comparison is case-sensitive                      | v2@T   | GET    | If-Match: "V2"                             | 412

            # step 2: If-Unmodified-Since, only without If-Match
            §13.1.4: unmodified since that very second holds               | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.1.4: unmodified since a later date holds                   | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:38 GMT | 200
            §13.1.4: modified after the date fails                         | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 412
            §13.1.4: fails for other methods too                           | v2@T   | DELETE | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 412
            §5.6.7: an asctime date counts                                 | v2@T   | GET    | If-Unmodified-Since: Sun Nov  6 08:49:36 1994      | 412
            §13.1.4: an invalid date is ignored                            | v2@T   | GET    | If-Unmodified-Since: yesterday                      | 200
            §13.1.4: more than one member is ignored                       | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT && If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 200
            §13.1.4: ignored without a modification date                   | bare   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 200
            §13.1.4: compared at one-second precision                      | millis | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.2.2 step 2: ignored when If-Match is present               | v2@T   | GET    | If-Match: "v2" && If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 200
            §13.2.2 step 1: If-Match decides before If-Unmodified-Since    | v2@T   | GET    | If-Match: "v1" && If-Unmodified-Since: Sun, 06 Nov 1994 08:49:38 GMT | 412

            # step 3: If-None-Match
            §13.1.2: a match fails, GET gets 304                           | v2@T   | GET    | If-None-Match: "v2"                        | 304
            §13.1.2: a match fails, HEAD gets 304                          | v2@T   | HEAD   | If-None-Match: "v2"                        | 304
            §13.1.2: the comparison is weak                                | v2@T   | GET    | If-None-Match: W/"v2"                      | 304
            §13.1.2: the comparison is weak on the current tag too         | weak   | GET    | If-None-Match: "v2"                        | 304
            §13.1.2: no match holds                                        | v2@T   | GET    | If-None-Match: "v1"                        | 200
            §13.1.2: any member of the list may match                      | v2@T   | GET    | If-None-Match: "v1", W/"v2"                | 304
            §13.1.2: * fails when a representation exists                  | v2@T   | GET    | If-None-Match: *                           | 304
            §13.1.2: * fails even without an entity tag                    | bare   | GET    | If-None-Match: *                           | 304
            §13.1.2: a tag never matches a representation that has none    | bare   | GET    | If-None-Match: "v2"                        | 200
            §13.2.2 step 3: other methods get 412                          | v2@T   | PUT    | If-None-Match: *                           | 412
            §13.2.2 step 3: other methods get 412 on a tag match           | v2@T   | DELETE | If-None-Match: "v2"                        | 412
            §5.3: several lines form one list                              | v2@T   | GET    | If-None-Match: "v1" && If-None-Match: "v2" | 304
            §13.1.2: a malformed If-None-Match is ignored                  | v2@T   | GET    | If-None-Match: v2                          | 200
            §13.1.2: the empty list matches nothing                        | v2@T   | GET    | If-None-Match:                             | 200
            §13.2.2 step 3: If-None-Match wins over If-Modified-Since      | v2@T   | GET    | If-None-Match: "v1" && If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.2.2 step 4: a malformed If-None-Match leaves If-Modified-Since in charge | v2@T | GET | If-None-Match: v2 && If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §13.2.2 step 1 before 3: If-Match fails first                  | v2@T   | GET    | If-Match: "v1" && If-None-Match: "v2"      | 412
            §13.2.2 step 1 then 3: both evaluated in turn                  | v2@T   | GET    | If-Match: "v2" && If-None-Match: "v2"      | 304
            §13.2.2 step 2 before 3: If-Unmodified-Since fails first       | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT && If-None-Match: "v2" | 412

            # step 4: If-Modified-Since, GET and HEAD only
            §13.1.3: not modified since that very second                   | v2@T   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §13.1.3: HEAD too                                              | v2@T   | HEAD   | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §13.1.3: not modified since a later date                       | v2@T   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:38 GMT | 304
            §13.1.3: modified after the date                               | v2@T   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT | 200
            §13.1.3: compared at one-second precision                      | millis | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §5.6.7: an asctime date counts                                 | v2@T   | GET    | If-Modified-Since: Sun Nov  6 08:49:37 1994      | 304
            §13.1.3: ignored for methods other than GET and HEAD           | v2@T   | POST   | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.1.3: an invalid date is ignored                            | v2@T   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT; length=34 | 200
            §13.1.3: more than one member is ignored                       | v2@T   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT && If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.1.3: ignored without a modification date                   | bare   | GET    | If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.2.2 step 2 then 4: both evaluated in turn                  | v2@T   | GET    | If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT && If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §5.1: field names are case-insensitive                         | v2@T   | GET    | if-none-match: "v2"                        | 304
            §9.1: method names are case-sensitive, get is not GET          | v2@T   | get    | If-None-Match: "v2"                        | 412
            """)
    void evaluatesConditionsInOrder(String rule, String rep, String method, String headers, String expected) {
        assertEquals(expected, status(Preconditions.evaluate(method, headers(headers), representation(rep), 16)));
    }

    @Test
    void headersThatHoldNullsAreReadAsAbsent() {
        RequestHeaders careless = name -> name.equals("If-None-Match") ? Arrays.asList(null, "\"v2\"") : null;
        assertEquals("304", status(Preconditions.evaluate("GET", careless, representation("v2@T"), 16)));
    }

    @Test
    void aRangeCapBelowOneIsMisuse() {
        assertThrows(IllegalArgumentException.class,
                () -> Preconditions.evaluate("GET", headers("(none)"), representation("v2@T"), 0));
    }
}
