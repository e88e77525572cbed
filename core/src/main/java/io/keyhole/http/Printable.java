package io.keyhole.http;

/** Client-chosen names for messages: short, and without anything a log line could be fooled by. */
final class Printable {

    private static final int MAX = 40;

    private Printable() {
    }

    static String of(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < MAX; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > MAX ? out + "..." : out.toString();
    }
}
