package io.keyhole.http;

import static io.keyhole.http.Fixtures.headers;
import static io.keyhole.http.Fixtures.representation;
import static io.keyhole.http.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The range half of {@link Preconditions}: RFC 9110 §14 and §13.1.5. Representations as in
 * {@link PreconditionsTest}, all 10000 bytes long except {@code empty} (0 bytes); at most
 * {@value #MAX_RANGES} ranges per request.
 */
class RangeRequestTest {

    static final int MAX_RANGES = 4;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            # rule                                                        | rep    | method | headers                                        | status
            # byte ranges
            §14.1.2: first-last, both inclusive                            | v2@T   | GET    | Range: bytes=0-499                             | 206 0-499
            §14.1.2: the second 500 bytes                                  | v2@T   | GET    | Range: bytes=500-999                           | 206 500-999
            §14.1.2: one byte                                              | v2@T   | GET    | Range: bytes=0-0                               | 206 0-0
            §14.1.2: an open range runs to the end                         | v2@T   | GET    | Range: bytes=9500-                             | 206 9500-9999
            §14.1.2: a suffix range is the last N bytes                    | v2@T   | GET    | Range: bytes=-500                              | 206 9500-9999
            §14.1.2: a suffix longer than the representation is all of it  | v2@T   | GET    | Range: bytes=-20000                            | 206 0-9999
            §14.1.2: a last-pos past the end is clamped                    | v2@T   | GET    | Range: bytes=9000-20000                        | 206 9000-9999
            §14.1.2: the last byte                                         | v2@T   | GET    | Range: bytes=9999-                             | 206 9999-9999
            §14.1.2: numbers beyond 64 bits are just very large            | v2@T   | GET    | Range: bytes=0-99999999999999999999999         | 206 0-9999
            §14.1.2: a huge suffix is all of it                            | v2@T   | GET    | Range: bytes=-99999999999999999999999          | 206 0-9999
            §14.1: range units are case-insensitive                        | v2@T   | GET    | Range: BYTES=0-0                               | 206 0-0
            §14.1.1: OWS around list elements                              | v2@T   | GET    | Range: bytes=0-0 ,\t5-5                       | 206 0-0,5-5
            §5.6.1: empty list elements are allowed                        | v2@T   | GET    | Range: bytes=,0-0, ,5-5,                       | 206 0-0,5-5

            # several ranges
            §14.1.2: several ranges keep the requested order               | v2@T   | GET    | Range: bytes=500-599,0-99                      | 206 500-599,0-99
            §14.1.2: first and last byte                                   | v2@T   | GET    | Range: bytes=0-0,-1                            | 206 0-0,9999-9999
            §14.3: overlapping ranges are coalesced                        | v2@T   | GET    | Range: bytes=0-499,200-799                     | 206 0-799
            §14.3: touching ranges are coalesced                           | v2@T   | GET    | Range: bytes=100-199,0-99                      | 206 0-199
            §14.3: coalescing sorts and merges all of them                 | v2@T   | GET    | Range: bytes=5000-5099,0-9,10-19,9000-         | 206 0-19,5000-5099,9000-9999
            §14.3: the same byte asked for again and again is sent once    | v2@T   | GET    | Range: bytes=0-0,0-0,0-0,0-0                   | 206 0-0
            §14.3: an open range and a suffix that overlap                 | v2@T   | GET    | Range: bytes=9000-,-500                        | 206 9000-9999
            §14.1.1: unsatisfiable ranges are left out                     | v2@T   | GET    | Range: bytes=0-1,20000-30000                   | 206 0-1
            §14.2: as many ranges as allowed                               | v2@T   | GET    | Range: bytes=0-0,2-2,4-4,6-6                   | 206 0-0,2-2,4-4,6-6
            §14.2: more ranges than allowed → Range ignored                | v2@T   | GET    | Range: bytes=0-0,2-2,4-4,6-6,8-8               | 200
            §14.2: empty elements do not count against the cap             | v2@T   | GET    | Range: bytes=0-0,,2-2,,4-4,,6-6,,              | 206 0-0,2-2,4-4,6-6
            §14.2: the cap counts range-specs, satisfiable or not          | v2@T   | GET    | Range: bytes=0-0,20000-,20001-,20002-,20003-   | 200

            # not satisfiable: 416
            §14.1.1: first-pos at the length                               | v2@T   | GET    | Range: bytes=10000-                            | 416
            §14.1.1: first-pos beyond the length                           | v2@T   | GET    | Range: bytes=10000-10001                       | 416
            §14.1.1: a zero suffix-length                                  | v2@T   | GET    | Range: bytes=-0                                | 416
            §14.1.1: none of several                                       | v2@T   | GET    | Range: bytes=20000-,-0                         | 416
            §14.1.1: a huge first-pos                                      | v2@T   | GET    | Range: bytes=99999999999999999999999-          | 416
            §14.1.1: an empty representation has no first byte             | empty  | GET    | Range: bytes=0-                                | 416
            §14.1.1: nor a last one                                        | empty  | GET    | Range: bytes=-1                                | 416
            §14.1.1: nor byte 0                                            | empty  | GET    | Range: bytes=0-0                               | 416

            # Range ignored: the whole representation
            §14.2: HEAD ignores Range                                      | v2@T   | HEAD   | Range: bytes=0-499                             | 200
            §14.2: only GET has range handling                             | v2@T   | POST   | Range: bytes=0-499                             | 200
            §14.2: HEAD ignores even an unsatisfiable Range                | v2@T   | HEAD   | Range: bytes=20000-                            | 200
            §14.1: an unknown range unit                                   | v2@T   | GET    | Range: items=0-1                               | 200
            §14.1.1: last-pos below first-pos is invalid                   | v2@T   | GET    | Range: bytes=1-0                               | 200
            §14.1.1: one invalid spec spoils the set                       | v2@T   | GET    | Range: bytes=0-1,5-4                           | 200
            §14.1.1: not a number                                          | v2@T   | GET    | Range: bytes=abc                               | 200
            §14.1.1: no range-spec                                         | v2@T   | GET    | Range: bytes=                                  | 200
            §14.1.1: only empty elements                                   | v2@T   | GET    | Range: bytes=, ,                               | 200
            §14.1.1: no = sign                                             | v2@T   | GET    | Range: bytes 0-1                               | 200
            §14.1.1: no whitespace around =                                | v2@T   | GET    | Range: bytes = 0-1                             | 200
            §14.1.1: no whitespace inside a range-spec                     | v2@T   | GET    | Range: bytes=0 - 1                             | 200
            §14.1.1: a lone dash                                           | v2@T   | GET    | Range: bytes=-                                 | 200
            §14.1.1: a negative suffix                                     | v2@T   | GET    | Range: bytes=--5                               | 200
            §14.1.1: a sign is no digit                                    | v2@T   | GET    | Range: bytes=+1-2                              | 200
            §14.1.1: ranges are separated by commas                        | v2@T   | GET    | Range: bytes=0-1;2-3                           | 200
            §14.1.1: three numbers are no range                            | v2@T   | GET    | Range: bytes=0-1-2                             | 200
            §14.1.1: several Range lines are no valid ranges-specifier     | v2@T   | GET    | Range: bytes=0-0 && Range: bytes=5-5           | 200
            §14.1.1: an invalid Range is ignored even when unsatisfiable   | empty  | GET    | Range: bytes=1-0                               | 200

            # If-Range
            §13.1.5: a strong match applies the Range                      | v2@T   | GET    | Range: bytes=0-0 && If-Range: "v2"             | 206 0-0
            §13.1.5: another tag → the whole representation                | v2@T   | GET    | Range: bytes=0-0 && If-Range: "v1"             | 200
            §13.1.5: a weak tag never matches                              | v2@T   | GET    | Range: bytes=0-0 && If-Range: W/"v2"           | 200
            §13.1.5: a weak current tag never matches                      | weak   | GET    | Range: bytes=0-0 && If-Range: "v2"             | 200
            §13.1.5: a tag cannot match a representation without one       | bare   | GET    | Range: bytes=0-0 && If-Range: "v2"             | 200
            §13.1.5: a date equal to Last-Modified applies the Range       | v2@T   | GET    | Range: bytes=0-0 && If-Range: Sun, 06 Nov 1994 08:49:37 GMT | 206 0-0
            §13.1.5: equal in any of the three formats                     | v2@T   | GET    | Range: bytes=0-0 && If-Range: Sun Nov  6 08:49:37 1994      | 206 0-0
            §13.1.5: a later date does not match exactly                   | v2@T   | GET    | Range: bytes=0-0 && If-Range: Sun, 06 Nov 1994 08:49:38 GMT | 200
            §13.1.5: an earlier date does not match exactly                | v2@T   | GET    | Range: bytes=0-0 && If-Range: Sun, 06 Nov 1994 08:49:36 GMT | 200
            §13.1.5: compared at one-second precision                      | millis | GET    | Range: bytes=0-0 && If-Range: Sun, 06 Nov 1994 08:49:37 GMT | 206 0-0
            §13.1.5: a date cannot match without Last-Modified             | bare   | GET    | Range: bytes=0-0 && If-Range: Sun, 06 Nov 1994 08:49:37 GMT | 200
            §13.1.5: neither tag nor date                                  | v2@T   | GET    | Range: bytes=0-0 && If-Range: v2               | 200
            §13.1.5: a malformed tag                                       | v2@T   | GET    | Range: bytes=0-0 && If-Range: "v2              | 200
            §13.1.5: a list is no validator                                | v2@T   | GET    | Range: bytes=0-0 && If-Range: "v2", "v1"       | 200
            §13.1.5: several If-Range lines                                | v2@T   | GET    | Range: bytes=0-0 && If-Range: "v2" && If-Range: "v2" | 200
            §13.2.2 step 5: a failed If-Range means 200, never 416         | v2@T   | GET    | Range: bytes=20000- && If-Range: "v1"          | 200
            §13.2.2 step 5: a holding If-Range with nothing satisfiable    | v2@T   | GET    | Range: bytes=20000- && If-Range: "v2"          | 416
            §13.1.5: If-Range without Range is ignored                     | v2@T   | GET    | If-Range: "v1"                                 | 200

            # conditions come first
            §13.2.2 step 3 before 5: 304 beats a Range                     | v2@T   | GET    | Range: bytes=0-0 && If-None-Match: "v2"        | 304
            §13.2.2 step 1 before 5: 412 beats a Range                     | v2@T   | GET    | Range: bytes=0-0 && If-Match: "v1"             | 412
            §13.2.2 step 1 before 5: 412 beats a 416                       | v2@T   | GET    | Range: bytes=20000- && If-Match: "v1"          | 412
            §13.2.2 step 4 before 5: 304 beats a 416                       | v2@T   | GET    | Range: bytes=20000- && If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT | 304
            §13.2.2 step 5: passed conditions, then the Range              | v2@T   | GET    | Range: bytes=0-0 && If-Match: "v2" && If-None-Match: "v1" | 206 0-0
            """)
    void appliesRanges(String rule, String rep, String method, String headers, String expected) {
        String block = headers.replace("\\t", "\t");
        assertEquals(expected, status(Preconditions.evaluate(method, headers(block), representation(rep), MAX_RANGES)));
    }
}
