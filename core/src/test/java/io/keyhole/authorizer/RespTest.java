package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The RESP2 subset of the Redis answers, against what the protocol specification says. */
class RespTest {

    static Resp.Reader reader(String text) {
        return new Resp.Reader(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void commandsAreArraysOfBulkStrings() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Resp.write(out, "GET".getBytes(StandardCharsets.US_ASCII), "ab\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("*2\r\n$3\r\nGET\r\n$4\r\nab\r\n\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void repliesOneAfterAnother() throws Resp.Malformed {
        Resp.Reader r = reader("$5\r\nhe\r\no\r\n$-1\r\n:3\r\n+OK\r\n-NOAUTH Authentication required.\r\n-oops x\r\n");
        assertArrayEquals("he\r\no".getBytes(StandardCharsets.US_ASCII), (byte[]) r.next());
        assertNull(r.next());
        assertEquals(3L, r.next());
        assertEquals("OK", r.next());
        assertEquals(new Resp.Error("NOAUTH"), r.next());
        assertEquals(new Resp.Error("ERR"), r.next(), "only an upper-case code word is kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "$5\r\nabc", "$5\r\nabcdeXY", "$x\r\n", "$-2\r\n", "*1\r\n$1\r\na\r\n", "+OK", "$99999999999\r\n"})
    void brokenRepliesAreRefused(String text) {
        assertThrows(Resp.Malformed.class, () -> reader(text).next());
    }
}
