package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The signer against AWS's published examples: the Signature Version 4 test suite
 * ({@code get-vanilla}, {@code get-vanilla-query-order-key-case}) and the S3 API reference's
 * "Example: GET Object". S3Proxy, which checks signatures itself, covers the rest in the
 * contract tests.
 */
class SigV4Test {

    private static final String SUITE_KEY = "AKIDEXAMPLE";
    private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static SortedMap<String, String> headers(String... nameValue) {
        SortedMap<String, String> h = new TreeMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            h.put(nameValue[i], nameValue[i + 1]);
        }
        return h;
    }

    @Test
    void getVanillaOfTheTestSuite() {
        assertEquals("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, "
                        + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                new SigV4("us-east-1", "service").authorization(SUITE_KEY, SUITE_SECRET, "GET", "/", "",
                        headers("host", "example.amazonaws.com", "x-amz-date", "20150830T123600Z"),
                        SigV4.EMPTY_PAYLOAD, "20150830T123600Z"));
    }

    @Test
    void getVanillaQueryOrderKeyCaseOfTheTestSuite() {
        String auth = new SigV4("us-east-1", "service").authorization(SUITE_KEY, SUITE_SECRET, "GET", "/",
                "Param1=value1&Param2=value2", headers("host", "example.amazonaws.com", "x-amz-date", "20150830T123600Z"),
                SigV4.EMPTY_PAYLOAD, "20150830T123600Z");
        assertEquals("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
                auth.substring(auth.indexOf("Signature=") + 10));
    }

    @Test
    void getObjectExampleOfTheS3Reference() {
        SigV4 signer = new SigV4("us-east-1", "s3");
        String auth = signer.authorization("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "GET",
                "/test.txt", "", headers("host", "examplebucket.s3.amazonaws.com", "range", "bytes=0-9",
                        "x-amz-content-sha256", SigV4.EMPTY_PAYLOAD, "x-amz-date", "20130524T000000Z"),
                SigV4.EMPTY_PAYLOAD, "20130524T000000Z");
        assertEquals("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", auth);
        // the day's signing key is kept; another secret on the same day gets its own
        String other = signer.authorization("AKIAIOSFODNN7EXAMPLE", "another-secret", "GET", "/test.txt", "",
                headers("host", "examplebucket.s3.amazonaws.com", "x-amz-date", "20130524T000000Z"),
                SigV4.EMPTY_PAYLOAD, "20130524T000000Z");
        assertEquals(auth, signer.authorization("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "GET", "/test.txt", "", headers("host", "examplebucket.s3.amazonaws.com", "range", "bytes=0-9",
                        "x-amz-content-sha256", SigV4.EMPTY_PAYLOAD, "x-amz-date", "20130524T000000Z"),
                SigV4.EMPTY_PAYLOAD, "20130524T000000Z"));
        assertEquals(false, other.equals(auth));
    }

    @Test
    void pathsAreEncodedOnceAsS3Wants() {
        // get-utf8 of the test suite: U+1234 as its UTF-8 bytes
        assertEquals("/%E1%88%B4", SigV4.encodePath("/\u1234"));
        assertEquals("files/a/b/c/d/0123abcdef", SigV4.encodePath("files/a/b/c/d/0123abcdef"));
        assertEquals("my%20files/%2B%25%3F%23/A-Z_a.z~", SigV4.encodePath("my files/+%?#/A-Z_a.z~"));
    }
}
