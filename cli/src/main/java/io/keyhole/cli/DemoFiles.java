package io.keyhole.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;

/** The demo's sample files, made in code (the clip is a bundled resource). Same bytes on every run. */
final class DemoFiles {

    /** Who owns every sample; the demo backend grants her and denies everyone else. */
    static final String OWNER = "alice";

    /**
     * A 3-second 320x180 H.264 test pattern, made once with
     * {@code ffmpeg -f lavfi -i testsrc2=size=320x180:rate=24:duration=3 -c:v libx264 -profile:v baseline
     * -pix_fmt yuv420p -crf 32 -movflags +faststart -an clip.mp4}.
     */
    private static final String CLIP = "demo/clip.mp4";

    /**
     * One sample.
     *
     * @param id          its file id (hex of its content's SHA-256, first 128 bits)
     * @param filename    the name offered to the browser
     * @param disposition {@code inline} or {@code attachment}
     */
    record Sample(String id, String filename, String contentType, String disposition, String owner, byte[] bytes) {
    }

    private DemoFiles() {
    }

    /** The image, the document and the clip, in that order. */
    static List<Sample> samples() {
        List<Sample> samples = new ArrayList<>(3);
        samples.add(sample("keyhole.png", "image/png", "inline", png()));
        // A name outside ASCII shows the RFC 8187 filename* parameter at work.
        samples.add(sample("Résumé – Alice.pdf", "application/pdf", "attachment", pdf()));
        samples.add(sample("clip.mp4", "video/mp4", "inline", clip()));
        return List.copyOf(samples);
    }

    private static Sample sample(String filename, String contentType, String disposition, byte[] bytes) {
        return new Sample(idOf(bytes), filename, contentType, disposition, OWNER, bytes);
    }

    static String idOf(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A 256x256 picture of a keyhole on a gradient; shapes only, so no fonts are needed. */
    static byte[] png() {
        BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, new Color(0x2b6cb0), 256, 256, new Color(0x9f7aea)));
            g.fillRect(0, 0, 256, 256);
            g.setColor(new Color(0xf6e05e));
            g.fillRoundRect(48, 28, 160, 200, 36, 36);
            g.setColor(new Color(0x744210));
            g.setStroke(new BasicStroke(6));
            g.drawRoundRect(48, 28, 160, 200, 36, 36);
            g.setColor(new Color(0x1a202c));
            g.fillOval(100, 62, 56, 56);
            g.fillPolygon(new Polygon(new int[] {112, 144, 158, 98}, new int[] {104, 104, 190, 190}, 4));
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("this Java runtime has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A one-page PDF 1.4 with a few lines of text in a standard font, cross-reference table included. */
    static byte[] pdf() {
        String text = String.join("\n",
                "BT",
                "/F1 28 Tf 72 760 Td (Keyhole demo) Tj",
                "/F1 14 Tf 0 -40 Td (This document was served after the backend said yes.) Tj",
                "0 -22 Td (Owner: alice. Anyone else gets 403.) Tj",
                "0 -22 Td (It is sent as an attachment with a non-ASCII file name.) Tj",
                "ET",
                "");
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
                        + " /Contents 5 0 R >>",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
                "<< /Length " + text.length() + " >>\nstream\n" + text + "endstream");
        // Every byte is ASCII, so string length equals byte offset.
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(pdf.length());
            pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.size() + 1).append('\n');
        pdf.append("0000000000 65535 f \n");
        for (int offset : offsets) {
            pdf.append(String.format("%010d 00000 n \n", offset));
        }
        pdf.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\n");
        pdf.append("startxref\n").append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The bundled video clip. */
    static byte[] clip() {
        try (InputStream in = DemoFiles.class.getResourceAsStream(CLIP)) {
            if (in == null) {
                throw new IllegalStateException("resource " + CLIP + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
