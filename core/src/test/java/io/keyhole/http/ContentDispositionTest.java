package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContentDispositionTest {

    static Stream<Arguments> dispositions() {
        return Stream.of(
                Arguments.of("RFC 6266 §4.2: the type alone", true, null,
                        "attachment"),
                Arguments.of("RFC 6266 §4.2: inline alone", false, null,
                        "inline"),
                Arguments.of("RFC 6266 §4.3: plain ASCII needs only filename", true, "report.pdf",
                        "attachment; filename=\"report.pdf\""),
                Arguments.of("RFC 6266 §4.3: inline with a name", false, "photo 1.jpg",
                        "inline; filename=\"photo 1.jpg\""),
                Arguments.of("RFC 6266 §4.3: punctuation that is safe inside quotes stays", true, "a;b=c,d(1)'x'.txt",
                        "attachment; filename=\"a;b=c,d(1)'x'.txt\""),
                Arguments.of("RFC 8187 §3.2.1: every attr-char stays as it is", true, "!#$&+-.^_`|~.txt",
                        "attachment; filename=\"!#$&+-.^_`|~.txt\""),
                Arguments.of("RFC 9110 §5.6.4: quotes in the fallback would end the string; filename* keeps them",
                        true, "say \"hi\".txt",
                        "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
                Arguments.of("RFC 9110 §5.6.4: a backslash would escape; as a path separator it goes everywhere",
                        true, "back\\slash.txt",
                        "attachment; filename=\"back_slash.txt\""),
                Arguments.of("RFC 6266 §4.3: no path information", true, "../../etc/passwd",
                        "attachment; filename=\".._.._etc_passwd\""),
                Arguments.of("RFC 9110 §5.5: CR LF cannot start a new header field", true,
                        "a.txt\r\nSet-Cookie: session=stolen",
                        "attachment; filename=\"a.txt__Set-Cookie: session=stolen\""),
                Arguments.of("RFC 9110 §5.5: a lone LF neither", true, "a\nb.txt",
                        "attachment; filename=\"a_b.txt\""),
                Arguments.of("RFC 9110 §5.5: other controls neither", false, "tab\there\u0000\u007f\u0085.txt",
                        "inline; filename=\"tab_here___.txt\""),
                Arguments.of("RFC 6266 §4.1: a quote cannot smuggle in a second parameter", true,
                        "x\"; filename*=UTF-8''evil.exe",
                        "attachment; filename=\"x_; filename*=UTF-8''evil.exe\"; "
                                + "filename*=UTF-8''x%22%3B%20filename%2A%3DUTF-8%27%27evil.exe"),
                Arguments.of("RFC 6266 §4.3: some clients percent-decode filename, so % is replaced", true, "100%.txt",
                        "attachment; filename=\"100_.txt\"; filename*=UTF-8''100%25.txt"),
                Arguments.of("RFC 8187 §3.2.1: Czech, with a Cyrillic а hidden in Zpráva", true, "Zprávа č. 1.pdf",
                        "attachment; filename=\"Zpr_v_ _. 1.pdf\"; "
                                + "filename*=UTF-8''Zpr%C3%A1v%D0%B0%20%C4%8D.%201.pdf"),
                Arguments.of("RFC 8187 §3.2.1: the Javadoc's example", true, "Résumé.pdf",
                        "attachment; filename=\"R_sum_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"),
                Arguments.of("RFC 8187 §3.2.1: Japanese", false, "日本語.txt",
                        "inline; filename=\"___.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt"),
                Arguments.of("RFC 8187 §3.2.1: an emoji is one code point, one _", true, "\uD83C\uDF89 party.png",
                        "attachment; filename=\"_ party.png\"; filename*=UTF-8''%F0%9F%8E%89%20party.png"),
                Arguments.of("RFC 8187 §3.2.1: a joined emoji keeps its joiner", true, "\uD83D\uDC69\u200D\uD83D\uDCBB.txt",
                        "attachment; filename=\"___.txt\"; filename*=UTF-8''%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB.txt"),
                Arguments.of("a right-to-left override would disguise the extension", true, "invoice\u202Efdp.exe",
                        "attachment; filename=\"invoice_fdp.exe\""),
                Arguments.of("an unpaired surrogate has no UTF-8 form", true, "a\uD800b.txt",
                        "attachment; filename=\"a_b.txt\""),
                Arguments.of("an empty name becomes file", true, "",
                        "attachment; filename=\"file\""),
                Arguments.of("a blank name becomes file", true, " \t ",
                        "attachment; filename=\"file\""),
                Arguments.of("surrounding whitespace is dropped", true, "  a.txt \r\n",
                        "attachment; filename=\"a.txt\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dispositions")
    void buildsTheHeader(String rule, boolean attachment, String filename, String expected) {
        assertEquals(expected, ContentDisposition.of(attachment, filename));
    }

    /** type [; filename="ascii"] [; filename*=UTF-8''pct-encoded] */
    private static final Pattern GRAMMAR = Pattern.compile(
            "(attachment|inline)(; filename=\"([\\x20\\x21\\x23-\\x24\\x26-\\x2e\\x30-\\x5b\\x5d-\\x7e]+)\""
                    + "(; filename\\*=UTF-8''((?:[A-Za-z0-9!#$&+\\-.^_`|~]|%[0-9A-F]{2})+))?)?");

    @Test
    void anyNameGivesAWellFormedHeader() {
        Random random = new Random(6266);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                switch (random.nextInt(4)) {
                    case 0:
                        name.append((char) random.nextInt(0x80));
                        break;
                    case 1:
                        name.append("\"\\/%\r\n;= ".charAt(random.nextInt(9)));
                        break;
                    case 2:
                        name.append((char) random.nextInt(0x10000));
                        break;
                    default:
                        name.appendCodePoint(0x10000 + random.nextInt(0x10000));
                }
            }
            String value = ContentDisposition.of(random.nextBoolean(), name.toString());
            Matcher matcher = GRAMMAR.matcher(value);
            assertTrue(matcher.matches(), () -> "not well formed: " + value);
            String fallback = matcher.group(3);
            String extended = matcher.group(5);
            // the fallback never starts or ends with the whitespace that was stripped
            assertEquals(fallback.strip(), fallback, value);
            if (extended != null) {
                String decoded = URLDecoder.decode(extended.replace("+", "%2B"), StandardCharsets.UTF_8);
                assertTrue(decoded.chars().noneMatch(c -> c < 0x20 || c == 0x7F || c == '/' || c == '\\'), value);
                assertEquals(fallback.length(), decoded.codePointCount(0, decoded.length()),
                        () -> "one fallback character per code point: " + value);
            }
        }
    }
}
