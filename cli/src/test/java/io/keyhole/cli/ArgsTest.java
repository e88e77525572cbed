package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArgsTest {

    static Args parse(String... args) throws UsageException {
        return Args.parse("cmd", List.of(args), Set.of("a", "many"), Set.of("many"));
    }

    @Test
    void spaceAndEqualsFormsBothWork() throws UsageException {
        Args args = parse("--a", "x=y", "--many=1", "--many", "2");
        assertEquals("x=y", args.get("a"));
        assertEquals(List.of("1", "2"), args.all("many"));
        assertNull(parse().get("a"));
    }

    @Test
    void valueMayLookLikeAnything() throws UsageException {
        assertEquals("--many", parse("--a", "--many").get("a"));
        assertEquals("", parse("--a=").get("a"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "stray         | cmd: unexpected argument 'stray'; options look like --name value",
            "--            | cmd: unexpected argument '--'; options look like --name value",
            "--b 1         | cmd: unknown option --b; it takes --a, --many",
            "--a           | cmd: --a needs a value",
            "--a 1 --a 2   | cmd: --a was given twice",
    })
    void misuseIsNamed(String line, String message) {
        UsageException e = assertThrows(UsageException.class, () -> parse(line.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "x    | cmd: --n must be a whole number, was 'x'",
            "0    | cmd: --n must be 1..5, was 0",
            "6    | cmd: --n must be 1..5, was 6",
    })
    void integersAreChecked(String value, String message) {
        UsageException e = assertThrows(UsageException.class,
                () -> Args.parse("cmd", List.of("--n", value), Set.of("n"), Set.of()).integer("n", 1, 1, 5));
        assertEquals(message, e.getMessage());
    }
}
