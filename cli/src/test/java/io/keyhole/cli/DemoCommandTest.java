package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void curlCommandsWorkAsPrinted() throws Exception {
        try (JavaProcess demo = JavaProcess.main("demo", "--port", "0")) {
            DemoReplay.check(demo);
        }
    }

    @Test
    void socketBackendCurlCommandsWorkAsPrinted() throws Exception {
        try (JavaProcess demo = JavaProcess.main("demo", "--port", "0", "--backend", "socket")) {
            DemoReplay.check(demo);
        }
    }

    @Test
    void takenPortFallsBackToAFreeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JavaProcess demo = JavaProcess.main("demo", "--port", Integer.toString(taken.getLocalPort()))) {
            int port = DemoReplay.check(demo);
            assertNotEquals(taken.getLocalPort(), port);
            assertTrue(demo.stderr().startsWith("keyhole: port " + taken.getLocalPort() + " is taken"), demo.stderr());
        }
    }

    @Test
    void samplesAreRealFilesOfTheirTypes() throws Exception {
        List<DemoFiles.Sample> samples = DemoFiles.samples();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(samples.get(0).bytes()));
        assertEquals(256, image.getWidth());

        String pdf = new String(samples.get(1).bytes(), StandardCharsets.US_ASCII);
        assertTrue(pdf.startsWith("%PDF-1.4\n") && pdf.endsWith("%%EOF\n"));
        int xref = Integer.parseInt(pdf.replaceAll("(?s).*startxref\n(\\d+)\n%%EOF\n", "$1"));
        assertTrue(pdf.startsWith("xref\n", xref), "startxref points at the cross-reference table");
        for (int object = 1; object <= 5; object++) {
            int offset = Integer.parseInt(pdf.substring(xref).lines().skip(2 + object).findFirst().orElseThrow()
                    .substring(0, 10));
            assertTrue(pdf.startsWith(object + " 0 obj\n", offset), "xref entry of object " + object);
        }

        byte[] clip = samples.get(2).bytes();
        assertTrue(clip.length < 200 * 1024);
        assertEquals("ftyp", new String(clip, 4, 4, StandardCharsets.US_ASCII), "an MP4 file");

        assertArrayEquals(samples.get(0).bytes(), DemoFiles.samples().get(0).bytes(), "same bytes every time");
        Set<String> ids = samples.stream().map(DemoFiles.Sample::id).collect(Collectors.toSet());
        assertEquals(3, ids.size());
        assertTrue(samples.stream().anyMatch(s -> !StandardCharsets.US_ASCII.newEncoder().canEncode(s.filename())));
    }
}
