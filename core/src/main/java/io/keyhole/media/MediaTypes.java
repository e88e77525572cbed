package io.keyhole.media;

import java.util.Locale;
import java.util.Map;

/**
 * The Content-Type a media file is served with, from its extension. A fixed table of common web
 * formats, the same on every machine (the JDK's and the operating system's guesses differ);
 * anything else is {@code application/octet-stream}, which browsers download rather than render.
 */
public final class MediaTypes {

    /** For extensions not in the table. */
    public static final String DEFAULT = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("avif", "image/avif"),
            Map.entry("gif", "image/gif"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("png", "image/png"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            // Scripts in an SVG run in the media domain's origin, which holds no session: that is the point of it.
            Map.entry("svg", "image/svg+xml"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("txt", "text/plain;charset=utf-8"),
            Map.entry("csv", "text/csv;charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"),
            Map.entry("zip", "application/zip"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("m4v", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("ogv", "video/ogg"),
            Map.entry("mov", "video/quicktime"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("m4a", "audio/mp4"),
            Map.entry("oga", "audio/ogg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("opus", "audio/ogg"),
            Map.entry("wav", "audio/wav"),
            Map.entry("flac", "audio/flac"),
            Map.entry("vtt", "text/vtt;charset=utf-8"),
            Map.entry("woff2", "font/woff2"));

    private MediaTypes() {
    }

    /** The type for {@code fileName}'s extension (case-insensitive), or {@link #DEFAULT}. */
    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return DEFAULT;
        }
        return BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
