package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Entity tags and the lists of {@code If-Match}/{@code If-None-Match}: a tag that parses prints
 * back as the exact input, a list survives printing and parsing, and nothing but
 * {@link IllegalArgumentException} ever comes out.
 */
class EntityTagFuzzTest {

    @DictionaryEntries({"W/", "\"", "W/\"a\""})
    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        EntityTag tag;
        try {
            tag = EntityTag.parse(text);
        } catch (IllegalArgumentException malformed) {
            return;
        }
        assertEquals(text, tag.toString(), "one tag is read only when it is written exactly as it prints");
        opaqueIsEtagc(tag);
    }

    @DictionaryEntries({"W/", "\"", ", ", "\"a\", W/\"b\""})
    @FuzzTest
    void parseList(FuzzedDataProvider data) {
        String value = data.consumeRemainingAsString();
        List<EntityTag> tags;
        try {
            tags = EntityTag.parseList(value);
        } catch (IllegalArgumentException malformed) {
            return;
        }
        tags.forEach(EntityTagFuzzTest::opaqueIsEtagc);
        String printed = tags.stream().map(EntityTag::toString).collect(Collectors.joining(", "));
        assertEquals(tags, EntityTag.parseList(printed), "a list round-trips through its printed form");
        for (EntityTag tag : tags) {
            assertEquals(tag, EntityTag.parse(tag.toString()));
            assertTrue(tag.weakEquals(tag));
            assertEquals(!tag.weak(), tag.strongEquals(tag), "a weak tag never matches strongly, even itself");
        }
    }

    private static void opaqueIsEtagc(EntityTag tag) {
        assertTrue(tag.opaque().chars().allMatch(c -> EntityTag.isEtagc((char) c)), "opaque part: etagc only");
    }
}
