package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EntityTagTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            # rule                                                  | header form      | opaque  | weak
            §8.8.3: a strong tag is an opaque-tag                   | "xyzzy"          | xyzzy   | false
            §8.8.3: W/ marks a weak tag                             | W/"xyzzy"        | xyzzy   | true
            §8.8.3: the opaque part may be empty                    | ""               | ''      | false
            §8.8.3: etagc includes the comma                        | "a,b"            | a,b     | false
            §8.8.3: etagc is VCHAR except DQUOTE                    | "!#$%&()*+/~"    | !#$%&()*+/~ | false
            """)
    void parsesTheEntityTagGrammar(String rule, String text, String opaque, boolean weak) {
        EntityTag tag = EntityTag.parse(text);
        assertEquals(new EntityTag(opaque, weak), tag);
        // toString gives back the header form
        assertEquals(text, tag.toString());
    }

    @Test
    void etagcIncludesObsText() {
        // §8.8.3: obs-text (%x80-FF) is allowed between the quotes
        assertEquals(new EntityTag("caf\u00e9\u00ff\u0080", false), EntityTag.parse("\"caf\u00e9\u00ff\u0080\""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            # rule                                                  | text           | the message mentions
            §8.8.3: the opaque-tag is quoted                        | xyzzy          | W/ or a double quote
            §8.8.3: the closing quote is required                   | "xyzzy         | no closing double quote
            §8.8.3: weak = %s"W/", case-sensitive                   | w/"xyzzy"      | W/ or a double quote
            §8.8.3: a quote must follow W/                          | W/xyzzy        | after W/
            §8.8.3: nothing may follow the closing quote            | "a"b"          | after the closing quote
            §8.8.3: etagc has no space                              | '"a b"'        | a space
            §8.8.3: one tag is not a list                           | "a", "b"       | after the closing quote
            §8.8.3: the empty string is no tag                      | ''             | found the end
            §8.8.3: surrounding whitespace is not part of a tag     | ' "a"'         | found a space
            """)
    void rejectsWhatIsNotAnEntityTag(String rule, String text, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntityTag.parse(text));
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    @ParameterizedTest(name = "opaque {0}")
    @ValueSource(strings = {"a\"b", "a b", "a\tb", "\u0000", "\r\n", "\u007f", "\u0100", "\u20ac"})
    void theConstructorEnforcesEtagc(String opaque) {
        // §8.8.3: etagc = %x21 / %x23-7E / obs-text, so no DQUOTE, space, CTL or anything above 0xFF
        assertThrows(IllegalArgumentException.class, () -> new EntityTag(opaque, false));
        assertThrows(IllegalArgumentException.class, () -> new EntityTag(opaque, true));
    }

    static Stream<Arguments> lists() {
        return Stream.of(
                // §5.6.1: a list may be empty
                Arguments.of("", List.of()),
                Arguments.of("\"a\"", List.of("\"a\"")),
                // §13.1.1: If-Match: "xyzzy", "r2d2xxxx", "c3piozzzz"
                Arguments.of("\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"", List.of("\"xyzzy\"", "\"r2d2xxxx\"", "\"c3piozzzz\"")),
                // §13.1.2: If-None-Match: W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz"
                Arguments.of("W/\"xyzzy\", W/\"r2d2xxxx\"", List.of("W/\"xyzzy\"", "W/\"r2d2xxxx\"")),
                // §5.6.1: recipients accept empty list elements and optional whitespace
                Arguments.of(" , ,\"a\" ,, \t\"b\",", List.of("\"a\"", "\"b\"")),
                Arguments.of("\"a\",\"b\"", List.of("\"a\"", "\"b\"")),
                // §8.8.3: a comma inside the quotes belongs to the tag
                Arguments.of("\"a,b\", \"c\"", List.of("\"a,b\"", "\"c\"")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("lists")
    void parsesLists(String value, List<String> expected) {
        List<String> parsed = EntityTag.parseList(value).stream().map(EntityTag::toString).collect(Collectors.toList());
        assertEquals(expected, parsed);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "\"a\" \"b\"",      // §5.6.1: elements are separated by commas
            "*",                // §13.1.1: "*" stands alone, it is no list element
            "\"a\", *",
            "a",
            "\"a\", b",
            "\"a\", \"b",
            "\"a\";\"b\""})
    void aMalformedElementSpoilsTheList(String value) {
        assertThrows(IllegalArgumentException.class, () -> EntityTag.parseList(value));
    }

    @ParameterizedTest(name = "{0} vs {1}: strong {2}, weak {3}")
    @CsvSource(delimiterString = "|", textBlock = """
            # §8.8.3.2, the example table, in both directions
            # ETag 1 | ETag 2 | strong | weak
            W/"1"    | W/"1"  | false  | true
            W/"1"    | W/"2"  | false  | false
            W/"1"    | "1"    | false  | true
            "1"      | W/"1"  | false  | true
            "1"      | "1"    | true   | true
            "1"      | "2"    | false  | false
            # character by character: no case folding
            "a"      | "A"    | false  | false
            """)
    void comparesLikeTheRfcTable(String one, String two, boolean strong, boolean weak) {
        EntityTag a = EntityTag.parse(one);
        EntityTag b = EntityTag.parse(two);
        assertEquals(strong, a.strongEquals(b));
        assertEquals(strong, b.strongEquals(a));
        assertEquals(weak, a.weakEquals(b));
        assertEquals(weak, b.weakEquals(a));
    }

    @Test
    void nothingMatchesAMissingTag() {
        EntityTag tag = EntityTag.strong("1");
        assertEquals(false, tag.strongEquals(null));
        assertEquals(false, tag.weakEquals(null));
    }
}
